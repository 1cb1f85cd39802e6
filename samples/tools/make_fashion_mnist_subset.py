#!/usr/bin/env python3
"""Writes the Fashion-MNIST subset embedded in the samples jar.

Takes the FIRST 6000 training and FIRST 1000 test images and labels of the full
set (Debian package dataset-fashion-mnist, /usr/share/datasets/fashion-mnist by
default) and writes them as gzip IDX files with the standard names, their
header counts adjusted, into
samples/src/main/resources/dev/kiln/samples/fashion-mnist-subset/.
The gzip output is reproducible (mtime 0).

Usage: python3 samples/tools/make_fashion_mnist_subset.py [SOURCE_DIR]
"""
import collections
import gzip
import os
import struct
import sys

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "main", "resources", "dev", "kiln", "samples",
                   "fashion-mnist-subset")
SPLITS = {"train": 6000, "t10k": 1000}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, type_code, rank = struct.unpack(">HBB", data[:4])
    assert zero == 0 and type_code == 0x08, path
    dims = list(struct.unpack(">%dI" % rank, data[4:4 + 4 * rank]))
    return dims, data[4 + 4 * rank:]


def write_idx(path, dims, payload):
    header = struct.pack(">HBB", 0, 0x08, len(dims)) + struct.pack(">%dI" % len(dims), *dims)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                compresslevel=9, mtime=0) as f:
        f.write(header + payload)


def main():
    os.makedirs(OUT, exist_ok=True)
    for split, n in SPLITS.items():
        for kind in ("images-idx3", "labels-idx1"):
            name = "%s-%s-ubyte.gz" % (split, kind)
            dims, payload = read_idx(os.path.join(SOURCE, name))
            item = len(payload) // dims[0]
            write_idx(os.path.join(OUT, name), [n] + dims[1:], payload[:n * item])
            if kind.startswith("labels"):
                counts = collections.Counter(payload[:n])
                print(split, "class counts:", [counts[c] for c in range(10)])
            print("wrote", name, os.path.getsize(os.path.join(OUT, name)), "bytes")


if __name__ == "__main__":
    main()
