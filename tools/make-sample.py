#!/usr/bin/env python3
# make-sample.py: writes the bundled sample, data/sample/
#
# Copyright 2026 The BootSC Explorer authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A class-balanced subset of the Fashion-MNIST test split: the first PER_CLASS
# images of each class in file order, as 28 x 28 grayscale PNG files in one
# folder per class.  Deterministic: the same input gives the same bytes.
# Standard library only.
#
#   tools/make-sample.py [/usr/share/datasets/fashion-mnist] [data/sample]

import gzip
import os
import struct
import sys
import zlib

PER_CLASS = 200
CLASSES = ['T-shirt_top', 'Trouser', 'Pullover', 'Dress', 'Coat',
           'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle_boot']


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]


def png_chunk(kind, body):
    crc = zlib.crc32(kind + body) & 0xffffffff
    return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', crc)


def png_gray(width, height, pixels):
    raw = b''.join(b'\0' + pixels[y * width:(y + 1) * width]
                   for y in range(height))
    ihdr = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', ihdr)
            + png_chunk(b'IDAT', zlib.compress(raw, 9))
            + png_chunk(b'IEND', b''))


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/datasets/fashion-mnist'
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'sample')
    (n, h, w), images = read_idx(os.path.join(src, 't10k-images-idx3-ubyte.gz'))
    (n_labels,), labels = read_idx(os.path.join(src, 't10k-labels-idx1-ubyte.gz'))
    assert n == n_labels
    taken = [0] * len(CLASSES)
    for i in range(n):
        k = labels[i]
        if taken[k] == PER_CLASS:
            continue
        taken[k] += 1
        folder = os.path.join(out, CLASSES[k])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, 't10k-%05d.png' % i), 'wb') as f:
            f.write(png_gray(w, h, images[i * w * h:(i + 1) * w * h]))
    assert taken == [PER_CLASS] * len(CLASSES), taken


if __name__ == '__main__':
    main()
