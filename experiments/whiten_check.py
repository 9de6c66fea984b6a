"""Does a linear map learnt on the training identities help verification? Within-class whitening of the embeddings.

The model's flip-summed, L2-normalised embeddings of every training image give the within-class covariance S_w
(identities with two or more images, each centred on its own mean). Scores are then cosines of `x @ T` with
T = (S_w + lam * mean_eigenvalue * I)^(-1/2): large `lam` is the plain cosine, small `lam` full whitening. Prints
one line per `lam` and set, for the training pairs of View 1 (`pairsDevTrain.txt`: people the model was trained on,
the only set used to choose `lam`) and the test sets.

    .venv/bin/python experiments/whiten_check.py MODEL [--train $COSFACE_CACHE/lfw_view1_celeba_train]
"""
import argparse
import numpy as np
import cosface
from cosface.paths import expand_path, scan_identities
from cosface.evaluate import load_embedding_model, model_image_size
from cosface.monitor import PairsSet, embed_batches, set_name
from cosface.pairs import read_pairs, pairs_format
from cosface.data import load_image
from cosface.verify import verify_scores, cosine_scores

LAMBDAS = [np.inf, 10, 3, 1, 0.3, 0.1, 0.03]

def load_set(spec, default_root):
    "A `PairsSet` of an LFW-format or plain pairs file `PATH[=ROOT]`, pairs with a missing image dropped (with a warning)."
    path, root = map(expand_path, (spec + '=' + default_root).split('=')[:2])
    df = read_pairs(path, root if pairs_format(path) == 'lfw' else None, drop_missing=True)   # a plain list's paths are its own
    images = sorted(set(df.path1) | set(df.path2)); pos = {q: i for i, q in enumerate(images)}
    return PairsSet(set_name(path), str(path), images, df.path1.map(pos).values, df.path2.map(pos).values,
                    df.issame.values.astype(bool), df.fold.values)

def embed(model, paths, size):
    images = np.stack([load_image(p, size) for p in paths])
    return embed_batches(model, [images[i:i+256] for i in range(0, len(images), 256)])

def within_class_cov(emb, labels):
    "Within-class covariance of `emb` over labels with two or more rows, each centred on its label's mean."
    _, inv, counts = np.unique(labels, return_inverse=True, return_counts=True)
    keep = counts[inv] >= 2
    e, l = emb[keep].astype(np.float64), inv[keep]
    means = np.zeros((l.max() + 1, e.shape[1])); np.add.at(means, l, e); means /= np.maximum(np.bincount(l), 1)[:, None]
    d = e - means[l]
    return d.T @ d / len(d)

def whitener(cov, lam):
    "(cov + lam * mean eigenvalue * I)^(-1/2); the identity for lam=inf."
    if np.isinf(lam): return np.eye(len(cov))
    w, v = np.linalg.eigh(cov)
    return v @ np.diag((w + lam * w.mean()) ** -0.5) @ v.T

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('model', help='embedding model (.keras)')
    ap.add_argument('--train', default='$COSFACE_CACHE/lfw_view1_celeba_train', help='the training identity folder')
    ap.add_argument('--pairs', nargs='+', default=['$COSFACE_DATA/lfw/pairsDevTrain.txt=$COSFACE_CACHE/lfw_aligned',
                                                   '$COSFACE_DATA/lfw/pairsDevTest.txt', '$COSFACE_CACHE/celeba_heldout/celeba_heldout.txt'],
                    help='pairs sets, each `PATH` or `PATH=ROOT` (ROOT: its aligned images; default --root)')
    ap.add_argument('--root', default='$COSFACE_CACHE/lfw_aligned_pairs', help='aligned images of LFW-format pairs')
    a = ap.parse_args()
    model = load_embedding_model(expand_path(a.model)); size = model_image_size(model)
    sets = [load_set(p, a.root) for p in a.pairs]
    scan = scan_identities(expand_path(a.train))
    cov = within_class_cov(embed(model, scan.images.path, size), scan.images.identity.values)
    print(f'S_w from {len(scan.images):,} training images; eigenvalues {np.linalg.eigvalsh(cov)[[0, -1]]}', flush=True)
    embs = [embed(model, s.images, size) for s in sets]
    for lam in LAMBDAS:
        t = whitener(cov, lam)
        for s, e in zip(sets, embs):
            w = e @ t
            v = verify_scores(cosine_scores(w[s.idx1], w[s.idx2]), s.issame, folds=s.folds)
            print(f'lam {lam}: {s.name}: {v.accuracy_text()}, AUC {v.auc:.4f}', flush=True)

if __name__ == '__main__': main()
