"""Does re-estimating batch-norm statistics on clean training images help a model? ("precise BN")

Training computes each batch-norm layer's moving mean and variance on augmented images (erasing, blur, grey, colour
jitter, shifts), while the test faces are clean. This re-estimates them as the plain average over batches of clean
training images and their mirror images (training-mode forward passes, nothing else changes), then scores the pairs
sets with the original and the re-estimated statistics.

    .venv/bin/python experiments/bn_check.py MODEL --train $COSFACE_CACHE/lfw_view1_celeba_train_z120 \
        --root $COSFACE_CACHE/lfw_aligned_pairs_z120 --pairs $COSFACE_DATA/lfw/pairsDevTest.txt $COSFACE_CACHE/celeba_heldout_z120/celeba_heldout.txt
"""
import argparse, random
from pathlib import Path
import numpy as np
import cosface
import keras
import tensorflow as tf
from cosface.paths import expand_path
from cosface.evaluate import load_embedding_model, model_image_size
from cosface.monitor import PairsSet, embed_batches
from cosface.data import load_image
from cosface.verify import verify_scores, cosine_scores

def bn_layers(model):
    "Every BatchNormalization layer in `model`, nested models included."
    return [l for l in model._flatten_layers() if isinstance(l, keras.layers.BatchNormalization)]

def recalibrate(model, images, batch_size=128):
    "Set every batch-norm layer's moving statistics to their average over training-mode passes on `images`."
    layers = bn_layers(model)
    sums = {id(l): [0., 0.] for l in layers}
    orig = {id(l): l.momentum for l in layers}
    batches = [images[i:i+batch_size] for i in range(0, len(images) - batch_size + 1, batch_size)]
    for k, x in enumerate(batches, 1):
        for l in layers: l.momentum = 0.0           # moving = this batch's statistics
        model(tf.concat([x, x[:, :, ::-1]], 0), training=True)
        for l in layers:
            s = sums[id(l)]; s[0] += l.moving_mean.numpy(); s[1] += l.moving_variance.numpy()
    for l in layers:
        s = sums[id(l)]; l.moving_mean.assign(s[0] / len(batches)); l.moving_variance.assign(s[1] / len(batches))
        l.momentum = orig[id(l)]
    return len(layers), len(batches)

def score(model, sets):
    for s, images in sets:
        e = embed_batches(model, [images[i:i+128] for i in range(0, len(images), 128)])
        v = verify_scores(cosine_scores(e[s.idx1], e[s.idx2]), s.issame, folds=s.folds)
        print(f'  {s.name}: {v.accuracy_text()}, AUC {v.auc:.4f}', flush=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('model', help='embedding model (.keras)')
    ap.add_argument('--train', required=True, help='training folder (one subfolder per identity)')
    ap.add_argument('--pairs', nargs='+', required=True)
    ap.add_argument('--root', required=True, help='aligned images of LFW-format pairs')
    ap.add_argument('--n', type=int, default=4096, help='training images to average over')
    a = ap.parse_args()
    model = load_embedding_model(expand_path(a.model)); size = model_image_size(model)
    sets = []
    for p in a.pairs:
        s = PairsSet.load(expand_path(p), expand_path(a.root))
        sets.append((s, np.stack([load_image(q, size) for q in s.images])))
    print('as trained:'); score(model, sets)
    files = sorted(f for f in Path(expand_path(a.train)).glob('*/*') if f.suffix.lower() in ('.jpg', '.jpeg', '.png'))
    random.Random(0).shuffle(files)
    images = np.stack([load_image(f, size) for f in files[:a.n]])
    n_layers, n_batches = recalibrate(model, images)
    print(f'batch-norm statistics of {n_layers} layers re-estimated on {n_batches} batches of {len(images)} clean training images (and mirrors):')
    score(model, sets)

if __name__ == '__main__': main()
