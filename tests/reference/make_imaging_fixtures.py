#!/usr/bin/python3
"""Independent image files for the image I/O tests, written by OpenCV and PIL with known pixel values.

Run by hand (not in CI):  apt-get install python3-opencv python3-pil python3-numpy
                          /usr/bin/python3 tests/reference/make_imaging_fixtures.py
Writes small files and expected.json into tests/MedDeblur.Core.Tests/Fixtures/Imaging/.
"""
import json
import os

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "MedDeblur.Core.Tests", "Fixtures", "Imaging")
H, W = 9, 13
rng = np.random.default_rng(2023)


def save(name, chw, bits, writer):
    path = os.path.join(OUT, name)
    writer(path)
    return {"file": name, "bits": bits, "channels": len(chw), "height": H, "width": W, "samples": np.asarray(chw).astype(int).tolist()}


def main():
    os.makedirs(OUT, exist_ok=True)
    entries = []
    g16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
    g16[0, 0], g16[0, 1], g16[0, 2] = 0, 65535, 1320  # extremes and a value that 8-bit would round away
    entries.append(save("gray16.png", [g16], 16, lambda p: cv2.imwrite(p, g16)))
    rgb16 = rng.integers(0, 65536, (H, W, 3), dtype=np.uint16)
    entries.append(save("rgb16.png", rgb16.transpose(2, 0, 1), 16, lambda p: cv2.imwrite(p, rgb16[:, :, ::-1])))
    rgba16 = rng.integers(0, 65536, (H, W, 4), dtype=np.uint16)
    entries.append(save("rgba16.png", rgba16.transpose(2, 0, 1), 16,
                        lambda p: cv2.imwrite(p, rgba16[:, :, [2, 1, 0, 3]])))
    entries.append(save("gray16.tif", [g16], 16, lambda p: cv2.imwrite(p, g16)))
    entries.append(save("rgb16.tif", rgb16.transpose(2, 0, 1), 16, lambda p: cv2.imwrite(p, rgb16[:, :, ::-1])))
    rgb8 = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    entries.append(save("rgb8.tif", rgb8.transpose(2, 0, 1), 8, lambda p: Image.fromarray(rgb8).save(p, compression="tiff_lzw")))
    la8 = rng.integers(0, 256, (H, W, 2), dtype=np.uint8)
    entries.append(save("gray_alpha8.png", la8.transpose(2, 0, 1), 8, lambda p: Image.fromarray(la8, "LA").save(p)))
    palette_idx = rng.integers(0, 4, (H, W), dtype=np.uint8)
    colours = np.array([[255, 0, 0], [0, 128, 0], [10, 20, 30], [200, 200, 200]], dtype=np.uint8)
    pal = Image.fromarray(palette_idx, "P")
    pal.putpalette(colours.flatten().tolist())
    entries.append(save("palette8.png", colours[palette_idx].transpose(2, 0, 1), 8, lambda p: pal.save(p)))
    g8 = rng.integers(0, 256, (H, W), dtype=np.uint8)
    entries.append(save("gray8.bmp", [g8], 8, lambda p: Image.fromarray(g8).convert("RGB").save(p)))
    entries[-1]["channels"] = 3
    entries[-1]["samples"] = [g8.tolist()] * 3
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"generator": "tests/reference/make_imaging_fixtures.py", "opencv": cv2.__version__, "images": entries}, f)
    print("wrote", len(entries), "fixtures to", OUT)


if __name__ == "__main__":
    main()
