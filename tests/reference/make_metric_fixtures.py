#!/usr/bin/python3
"""Reference metric values from scikit-image 0.19 (the library the official MedDeblur evaluation used).

Run by hand (not in CI):  apt-get install python3-skimage python3-opencv python3-numpy
                          /usr/bin/python3 tests/reference/make_metric_fixtures.py
Writes tests/MedDeblur.Core.Tests/Fixtures/Metrics/skimage_reference.json: small uint8 test pairs cut from real sample
images and degraded in several ways, with skimage's PSNR, SSIM (uniform 7x7 sample covariance = the official default;
Gaussian 11x11 sigma 1.5 population covariance = Wang et al. 2004), CIEDE2000 and CIE76 means, PSNR on the BT.601 Y
channel (BasicSR's formula), and rgb2lab of a few colours.
sharma2005_ciede2000.txt (next to the JSON) is skimage's copy of the Sharma-Wu-Dalal (2005) CIEDE2000 test data.
"""
import json
import os

import cv2
import numpy as np
import skimage
from skimage import color
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "MedDeblur.Core.Tests", "Fixtures", "Metrics", "skimage_reference.json")
rng = np.random.default_rng(115)


def load(rel, gray):
    img = cv2.imread(os.path.join(ROOT, "data", "samples", rel), cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR)
    return img if gray else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def y_channel(img):
    x = img.astype(np.float64) / 255.0
    if x.ndim == 2:
        return x * 255.0
    return 16.0 + 65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]


def psnr_y(a, b):
    mse = np.mean((y_channel(a) - y_channel(b)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def entry(name, ref, test):
    multichannel = ref.ndim == 3
    ref3 = ref if multichannel else np.stack([ref] * 3, -1)
    test3 = test if multichannel else np.stack([test] * 3, -1)
    lab_r, lab_t = color.rgb2lab(ref3), color.rgb2lab(test3)
    kw = dict(channel_axis=-1) if multichannel else {}
    return {
        "name": name,
        "reference": (ref[None] if ref.ndim == 2 else ref.transpose(2, 0, 1)).tolist(),
        "test": (test[None] if test.ndim == 2 else test.transpose(2, 0, 1)).tolist(),
        "psnr": peak_signal_noise_ratio(ref, test) if not np.array_equal(ref, test) else "inf",
        "psnr_y": psnr_y(ref, test) if not np.array_equal(ref, test) else "inf",
        "ssim_uniform": float(structural_similarity(ref, test, **kw)),
        "ssim_gaussian": float(structural_similarity(ref, test, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, **kw)),
        "deltae_ciede2000": float(np.mean(color.deltaE_ciede2000(lab_r, lab_t))),
        "deltae_cie76": float(np.mean(color.deltaE_cie76(lab_r, lab_t))),
    }


def main():
    mri = load("mri/brain_pd_fse_s05.png", True)[80:120, 60:108]
    ihc = load("microscopy/ihc_colon_fhl2.png", False)[100:140, 200:248]
    retina = load("fundus/retina_full.png", False)[200:237, 150:191]  # odd, non-square
    cases = []
    blur = lambda x: cv2.GaussianBlur(x, (7, 7), 1.6)
    noise = lambda x, s: np.clip(x.astype(np.float64) + rng.normal(0, s, x.shape), 0, 255).round().astype(np.uint8)
    cases.append(entry("gray_blur", mri, blur(mri)))
    cases.append(entry("gray_noise", mri, noise(mri, 8)))
    cases.append(entry("rgb_blur", ihc, blur(ihc)))
    cases.append(entry("rgb_noise", ihc, noise(ihc, 12)))
    cases.append(entry("rgb_darker", ihc, (ihc.astype(np.float64) * 0.8).round().astype(np.uint8)))
    shifted = ihc.astype(np.int32)
    shifted[..., 0] += 20
    shifted[..., 2] -= 15
    cases.append(entry("rgb_colour_shift", ihc, np.clip(shifted, 0, 255).astype(np.uint8)))
    cases.append(entry("odd_size_blur_noise", retina, noise(blur(retina), 5)))
    cases.append(entry("identical", ihc, ihc.copy()))

    colours = np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 200, 90], [128, 128, 128], [3, 7, 11]], dtype=np.uint8)
    lab = color.rgb2lab(colours[None])[0]
    with open(OUT, "w") as f:
        json.dump({"generator": "tests/reference/make_metric_fixtures.py", "skimage": skimage.__version__, "pairs": cases,
                   "rgb2lab": [{"rgb": c.tolist(), "lab": l.tolist()} for c, l in zip(colours, lab)]}, f)
    print(f"wrote {OUT}: {len(cases)} pairs, skimage {skimage.__version__}")
    for c in cases:
        print(f"  {c['name']:22s} psnr {c['psnr']} ssim {c['ssim_uniform']:.4f}/{c['ssim_gaussian']:.4f} dE {c['deltae_ciede2000']:.4f}/{c['deltae_cie76']:.4f}")


if __name__ == "__main__":
    main()
