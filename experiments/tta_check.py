"""Does test-time augmentation help a model? Verification accuracy with embeddings averaged over shifted and zoomed crops.

Each unique pair image is embedded as usual (itself and its mirror image) and also as crops of itself shifted by 4% of
the side (left, right, up, down) and zoomed in and out by 10% (the ranges the recipe trains on); each view's embedding
is L2-normalised and the views are averaged. Prints one line per combination of views and set (best threshold on a
single set for LFW-format files, the 10-fold protocol for plain lists of several folds).

    .venv/bin/python experiments/tta_check.py MODEL [--pairs $COSFACE_DATA/lfw/pairsDevTest.txt $COSFACE_CACHE/celeba_heldout/celeba_heldout.txt]
"""
import argparse
import numpy as np
import cosface
import tensorflow as tf
from cosface.paths import expand_path
from cosface.evaluate import load_embedding_model, model_image_size
from cosface.monitor import PairsSet, embed_batches
from cosface.data import load_image
from cosface.verify import verify_scores, cosine_scores

VIEWS = {'centre': (0, 0, 1.0), 'left': (0, -.04, 1.0), 'right': (0, .04, 1.0), 'up': (-.04, 0, 1.0), 'down': (.04, 0, 1.0),
         'zoom_in': (0, 0, 1.1), 'zoom_out': (0, 0, 0.9)}   # (vertical shift, horizontal shift, zoom), fractions of the side
COMBOS = [['centre'], ['centre', 'left', 'right', 'up', 'down'], ['centre', 'zoom_in', 'zoom_out'], list(VIEWS)]

def view(images, dy, dx, zoom):
    "The crops of `images` (N, S, S, 3) centred `(dy, dx)` off the middle and zoomed by `zoom`, resized back to S."
    if (dy, dx, zoom) == (0, 0, 1.0): return images
    half, n = 0.5 / zoom, len(images)
    boxes = np.tile([[0.5 + dy - half, 0.5 + dx - half, 0.5 + dy + half, 0.5 + dx + half]], (n, 1)).astype(np.float32)
    return tf.image.crop_and_resize(images, boxes, tf.range(n), images.shape[1:3]).numpy()

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('model', help='embedding model (.keras)')
    ap.add_argument('--pairs', nargs='+', default=['$COSFACE_DATA/lfw/pairsDevTest.txt', '$COSFACE_CACHE/celeba_heldout/celeba_heldout.txt'])
    ap.add_argument('--root', default='$COSFACE_CACHE/lfw_aligned_pairs', help='aligned images of LFW-format pairs')
    a = ap.parse_args()
    model = load_embedding_model(expand_path(a.model)); size = model_image_size(model)
    for p in a.pairs:
        s = PairsSet.load(expand_path(p), expand_path(a.root))
        images = np.stack([load_image(q, size) for q in s.images])
        views = {k: view(images, *VIEWS[k]) for k in VIEWS}
        emb = {k: embed_batches(model, [v[i:i+128] for i in range(0, len(v), 128)]) for k, v in views.items()}
        for combo in COMBOS:
            e = sum(emb[k] for k in combo)
            v = verify_scores(cosine_scores(e[s.idx1], e[s.idx2]), s.issame, folds=s.folds)
            print(f'{s.name}: {" + ".join(combo)}: {v.accuracy_text()}, AUC {v.auc:.4f}', flush=True)

if __name__ == '__main__': main()
