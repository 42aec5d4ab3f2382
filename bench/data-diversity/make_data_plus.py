#!/usr/bin/python3
"""Makes the data-diversity probe's dataset (docs/training.md, "Data-diversity probe"): a copy of data/samples with
nine more photographs in its training split, one source each, none medical. The sample set itself is unchanged.

Build tools: python3-numpy, python3-pil. Fetch and unpack the packages into one folder, then run this script on it:
    mkdir pkgs && cd pkgs
    apt-get download python3-skimage python3-scipy python-matplotlib-data
    for d in *.deb; do dpkg -x "$d" x; done
    /usr/bin/python3 /path/to/bench/data-diversity/make_data_plus.py . /path/to/data/samples OUT

Sources and licences (Debian 12 packages): python3-skimage 0.19.3-8, skimage/data/{camera,coins,text,brick,grass,
gravel}.png (per skimage/data/_fetchers.py: camera CC0, coins "no known copyright restrictions", text public domain,
brick/grass/gravel CC0 textures); python3-scipy 1.10.1-2, scipy/misc/ascent.dat (public domain, Debian copyright) and
face.dat (a raccoon, "public-domain-image.com", resized 1024x768 -> 512x384); python-matplotlib-data 3.6.3-1,
sample_data/grace_hopper.jpg (a US Navy portrait). Every image was checked by eye.
"""
import bz2
import os
import pickle
import shutil
import sys

import numpy as np
from PIL import Image

pkgs, samples, out = sys.argv[1:4]
lib = os.path.join(pkgs, "x/usr/lib/python3/dist-packages")
shutil.copytree(samples, out)
images = {}
for name in ["camera", "coins", "text", "brick", "grass", "gravel"]:
    images[name] = Image.open(os.path.join(lib, "skimage/data", name + ".png")).convert("L")
with open(os.path.join(lib, "scipy/misc/ascent.dat"), "rb") as f:
    images["ascent"] = Image.fromarray(np.asarray(pickle.load(f)).astype(np.uint8))
with open(os.path.join(lib, "scipy/misc/face.dat"), "rb") as f:
    face = np.frombuffer(bz2.decompress(f.read()), dtype=np.uint8).reshape(768, 1024, 3)
images["raccoon"] = Image.fromarray(face).resize((512, 384), Image.LANCZOS)
images["grace_hopper"] = Image.open(
    os.path.join(pkgs, "x/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg")).convert("RGB")
with open(os.path.join(out, "splits.csv"), "a") as splits:
    for name, image in images.items():
        image.save(os.path.join(out, "natural", name + ".png"), optimize=True)
        splits.write(f"natural/{name}.png,natural_{name},train\n")
