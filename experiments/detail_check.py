"""How much image detail does a model use? Verification accuracy on test faces with their detail reduced.

Each pair image (already aligned) is resized to the model's input side, then down to a smaller side and back up
(area down, linear up), and the pairs are scored as usual (flip, cosine, best threshold on a single set). Accuracy
that holds as the detail shrinks says the model does not use the finer detail, so training at a larger input size
is unlikely to help it. Prints one line per size.

    .venv/bin/python experiments/detail_check.py MODEL [--pairs $COSFACE_DATA/lfw/pairsDevTest.txt] [--root $COSFACE_CACHE/lfw_aligned_pairs]
"""
import argparse
import numpy as np, cv2
import cosface
from cosface.paths import expand_path
from cosface.evaluate import extract_embeddings, load_embedding_model, model_image_size
from cosface.images import read_rgb
from cosface.pairs import read_pairs
from cosface.verify import verify

def reduce_detail(images, size, side):
    "Images (N, size, size, 3) with the detail of `side` px: resized down to it (area) and back up (linear)."
    if side >= size: return images
    return np.stack([cv2.resize(cv2.resize(im, (side, side), interpolation=cv2.INTER_AREA), (size, size), interpolation=cv2.INTER_LINEAR) for im in images])

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('model', help='embedding model (.keras)')
    ap.add_argument('--pairs', default='$COSFACE_DATA/lfw/pairsDevTest.txt')
    ap.add_argument('--root', default='$COSFACE_CACHE/lfw_aligned_pairs', help='aligned images of LFW-format pairs')
    ap.add_argument('--sides', type=int, nargs='+', default=[56, 48, 40, 32])
    a = ap.parse_args()
    model = load_embedding_model(expand_path(a.model)); size = model_image_size(model)
    pairs = read_pairs(expand_path(a.pairs), root=expand_path(a.root))
    paths, index = np.unique(np.r_[pairs.path1, pairs.path2], return_inverse=True)   # each image read and embedded once
    i1, i2 = index[:len(pairs)], index[len(pairs):]
    images = np.stack([cv2.resize(read_rgb(p), (size, size), interpolation=cv2.INTER_AREA) for p in paths])
    for side in [size] + [s for s in a.sides if s < size]:
        e = extract_embeddings(model, reduce_detail(images, size, side), progress=False)
        v = verify(e[i1], e[i2], pairs.issame.values, folds=pairs.fold.values)
        print(f'{side} px of detail: {v.accuracy_text()}, AUC {v.auc:.4f}', flush=True)

if __name__ == '__main__': main()
