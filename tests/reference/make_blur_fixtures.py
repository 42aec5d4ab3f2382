#!/usr/bin/python3
"""Reference values for the blur simulator, computed with OpenCV exactly as the official MedDeblur code does.

Run by hand (not in CI):  apt-get install python3-opencv python3-numpy && /usr/bin/python3 tests/reference/make_blur_fixtures.py
Writes tests/MedDeblur.Core.Tests/Fixtures/Blur/opencv_reference.json.
"""
import json
import os

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "MedDeblur.Core.Tests", "Fixtures", "Blur", "opencv_reference.json")


def official_kernel(d, angle):
    """dataTools/customDataloader.py::motion_blur of sharif-apu/MedDeblur, as described in the notes (section 3)."""
    m = cv2.getRotationMatrix2D((d / 2, d / 2), angle, 1)
    k = cv2.warpAffine(np.diag(np.ones(d)), m, (d, d))
    return k / d


def main():
    pairs = [(20, 45), (45, 45), (33, 10), (20, 0), (21, -45), (24, -30), (31, -7), (44, 33), (37, 17), (26, -44), (45, -45), (5, 30), (8, 12)]
    kernels = [{"length": d, "angle": a, "kernel": official_kernel(d, a).tolist()} for d, a in pairs]

    samples = os.path.join(ROOT, "data", "samples")
    crops = []
    for rel, flags, (y, x) in [("mri/brain_pd_fse_s05.png", cv2.IMREAD_GRAYSCALE, (90, 70)),
                               ("microscopy/ihc_colon_fhl2.png", cv2.IMREAD_COLOR, (200, 150))]:
        img = cv2.imread(os.path.join(samples, rel), flags)
        crop = img[y:y + 64, x:x + 72]
        if crop.ndim == 3:
            crop = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
        for d, a in [(20, 45), (33, 10), (7, -20), (45, -45)]:
            k = official_kernel(d, a)
            out = cv2.filter2D(crop, -1, k)  # uint8 in, uint8 out, BORDER_REFLECT_101
            chw = lambda t: (t[None] if t.ndim == 2 else t.transpose(2, 0, 1)).tolist()
            crops.append({"source": rel, "y": y, "x": x, "length": d, "angle": a, "input": chw(crop), "output": chw(out)})

    with open(OUT, "w") as f:
        json.dump({"generator": "tests/reference/make_blur_fixtures.py", "opencv": cv2.__version__,
                   "kernels": kernels, "filtered": crops}, f, separators=(",", ":"))
    print(f"wrote {OUT}: {len(kernels)} kernels, {len(crops)} filtered crops, opencv {cv2.__version__}")


if __name__ == "__main__":
    main()
