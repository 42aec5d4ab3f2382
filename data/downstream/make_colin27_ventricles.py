#!/usr/bin/python3
"""Builds data/downstream/colin27-ventricles from Debian mricron-data (the build tool; not needed at run time).

    apt-get download mricron-data && dpkg -x mricron-data_*.deb pkg
    /usr/bin/python3 make_colin27_ventricles.py pkg/usr/share/mricron/templates colin27-ventricles

Needs python3-nibabel, python3-scipy, python3-pil (Debian 12). Images are sliced and converted exactly as the Colin27
slices of data/samples/mri (axial slice z of ch2.nii.gz, rot90 so anterior is up, p0.5..p99.8 of ch2 > 0 mapped to
0..255 and rounded); the script checks that against data/samples/mri/colin27_t1_ax_z090.png when it is present.

Target: the lateral ventricles. Mask = voxels of ch2 darker than 50 (CSF; the brain's white matter is 100-120, grey
matter 70-90) inside the JHU-MNI lateral-ventricle labels (jhu189.nii.gz, labels 171-180, moved onto the ch2 grid by
their affines) dilated by 5 voxels and inside the skull-stripped brain (ch2bet.nii.gz > 0), then the largest 3D
connected component (6-connectivity). The JHU labels alone sit a few mm off Colin27's ventricles (they were drawn on
another subject), so they only say where to look; the boundary is Colin27's own CSF edge.
"""
import csv
import hashlib
import os
import sys

import nibabel as nib
import numpy as np
from PIL import Image
from scipy import ndimage as ndi

TEST = [74, 82, 90, 98]                 # slices with ventricles held out for the test
VENTRICLE_SLICES = range(70, 102)       # the slices that show the lateral ventricles
NEGATIVE_TRAIN = [54, 60, 66, 106, 112]  # slices without ventricles, training only (the U-Net learns "none" too)
THRESHOLD = 50


def main(templates: str, out: str) -> None:
    ch2 = np.asanyarray(nib.load(os.path.join(templates, "ch2.nii.gz")).dataobj).astype(np.float64)
    bet = np.asanyarray(nib.load(os.path.join(templates, "ch2bet.nii.gz")).dataobj)
    jhu = nib.load(os.path.join(templates, "jhu189.nii.gz"))
    labels = np.asanyarray(jhu.dataobj)
    ch2_affine = nib.load(os.path.join(templates, "ch2.nii.gz")).affine
    # JHU voxel -> world -> ch2 voxel (both 1 mm, axis-aligned: an integer flip and shift)
    ijk = np.array(np.nonzero(np.isin(labels, range(171, 181)))).T
    world = nib.affines.apply_affine(jhu.affine, ijk)
    target = np.rint(nib.affines.apply_affine(np.linalg.inv(ch2_affine), world)).astype(int)
    prior = np.zeros(ch2.shape, bool)
    prior[tuple(target.T)] = True
    prior = ndi.binary_dilation(prior, ndi.generate_binary_structure(3, 1), iterations=5) & (bet > 0)
    mask = prior & (ch2 < THRESHOLD)
    components, count = ndi.label(mask)
    sizes = ndi.sum(mask, components, range(1, count + 1))
    mask = components == (int(np.argmax(sizes)) + 1)
    print(f"lateral ventricles: {int(mask.sum())} voxels (mm^3), slices {np.nonzero(mask.any((0, 1)))[0][[0, -1]]}")

    lo, hi = np.percentile(ch2[ch2 > 0], [0.5, 99.8])
    os.makedirs(out, exist_ok=True)
    rows = []
    train = [z for z in VENTRICLE_SLICES if min(abs(z - t) for t in TEST) >= 2] + NEGATIVE_TRAIN
    for z in sorted(train + TEST):
        image = np.clip(np.round((np.rot90(ch2[:, :, z]) - lo) / (hi - lo) * 255), 0, 255).astype(np.uint8)
        label = (np.rot90(mask[:, :, z]) * 255).astype(np.uint8)
        name = f"colin27_t1_ax_z{z:03d}"
        Image.fromarray(image, "L").save(os.path.join(out, name + ".png"), optimize=True)
        Image.fromarray(label, "L").save(os.path.join(out, name + "_mask.png"), optimize=True)
        rows.append((name + ".png", name, "test" if z in TEST else "train", int(label.any() and (label > 0).sum())))
    sample = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples", "mri", "colin27_t1_ax_z090.png")
    if os.path.exists(sample):
        assert (np.array(Image.open(sample)) == np.array(Image.open(os.path.join(out, "colin27_t1_ax_z090.png")))).all(), "slicing differs from data/samples"
        print("z090 is identical to data/samples/mri/colin27_t1_ax_z090.png")
    with open(os.path.join(out, "splits.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["path", "group", "split"])
        for path, group, split, _ in rows:
            w.writerow([path, group, split])
    for path, _, split, pixels in rows:
        digest = hashlib.sha256(open(os.path.join(out, path), "rb").read()).hexdigest()[:12]
        print(f"{path} {split} ventricle pixels {pixels} sha256 {digest}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
