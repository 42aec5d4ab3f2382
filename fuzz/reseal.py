#!/usr/bin/env python3
"""Stores an input of the 'checkpoint' fuzz target as the target saw it: with its checksum trailer re-stamped
(fuzz/README.md). Usage: fuzz/reseal.py IN OUT"""
import hashlib, sys
data = open(sys.argv[1], 'rb').read()
if len(data) >= 40 and data[-40:-32] == b'MDSHA256':
    data = data[:-40]
open(sys.argv[2], 'wb').write(data + b'MDSHA256' + hashlib.sha256(data).digest())
