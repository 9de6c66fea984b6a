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
from cosface.paths import expand_path
from cosface.evaluate import load_embedding_model, model_image_size
from cosface.monitor import PairsSet, embed_batches
from cosface.data import load_image
from cosface.verify import verify_scores, cosine_scores
from cosface.bnstats import bn_layers, recalibrate_bn

def load_sets(pairs, root, size):
    "Each pairs set with its images, loaded once at the model's input size."
    return [(s, np.stack([load_image(q, size) for q in s.images])) for s in (PairsSet.load(expand_path(p), expand_path(root)) for p in pairs)]

def clean_images(train, size, n):
    "`n` training images (a fixed shuffle of the folder), preprocessed without augmentation."
    files = sorted(f for f in Path(expand_path(train)).glob('*/*') if f.suffix.lower() in ('.jpg', '.jpeg', '.png'))
    random.Random(0).shuffle(files)
    return np.stack([load_image(f, size) for f in files[:n]])

def score(model, sets)->list:
    "One line per set: its name, accuracy and AUC under `model`."
    out = []
    for s, images in sets:
        e = embed_batches(model, [images[i:i+128] for i in range(0, len(images), 128)])
        v = verify_scores(cosine_scores(e[s.idx1], e[s.idx2]), s.issame, folds=s.folds)
        out.append(f'{s.name}: {v.accuracy_text()}, AUC {v.auc:.4f}')
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('model', help='embedding model (.keras)')
    ap.add_argument('--train', required=True, help='training folder (one subfolder per identity)')
    ap.add_argument('--pairs', nargs='+', required=True)
    ap.add_argument('--root', required=True, help='aligned images of LFW-format pairs')
    ap.add_argument('--n', type=int, default=4096, help='training images to average over')
    a = ap.parse_args()
    model = load_embedding_model(expand_path(a.model)); size = model_image_size(model)
    sets = load_sets(a.pairs, a.root, size)
    print('as trained:', *score(model, sets), sep='\n  ')
    images = clean_images(a.train, size, a.n)
    n_batches = recalibrate_bn(model, [images[i:i+64] for i in range(0, len(images) - 63, 64)])
    print(f'batch-norm statistics of {len(bn_layers(model))} layers re-estimated on {n_batches} batches of {len(images)} clean training images (and mirrors):',
          *score(model, sets), sep='\n  ')

if __name__ == '__main__': main()
