"""Does cohort score normalisation help verification? Symmetric adaptive S-norm against the training identities.

Each face's cosine scores against a cohort (the L2-normalised mean embedding of each training identity) give its own
score distribution; the mean and standard deviation of its `k` highest cohort scores normalise every pair score it is
in: s' = ((s - mu_a) / sd_a + (s - mu_b) / sd_b) / 2 (adaptive S-norm, as used in speaker verification). A face that
resembles everyone (blurred, frontal, typical) then needs a higher cosine to match. No test image is used to build
anything. Prints one line per `k` and set: View 1 training pairs (people the model was trained on: the only set used to
choose `k`) and the test sets.

    .venv/bin/python experiments/snorm_check.py MODEL [--train $COSFACE_CACHE/lfw_view1_celeba_train]
"""
import argparse
import numpy as np
import cosface
from cosface.paths import expand_path, scan_identities
from cosface.evaluate import load_embedding_model, model_image_size
from cosface.verify import verify_scores, cosine_scores
from whiten_check import load_set, embed

KS = [0, 50, 100, 200, 400, 1000, 'all']

def class_means(emb, labels):
    "The L2-normalised mean embedding of each label."
    _, inv = np.unique(labels, return_inverse=True)
    m = np.zeros((inv.max() + 1, emb.shape[1])); np.add.at(m, inv, emb)
    return m / np.linalg.norm(m, axis=1, keepdims=True)

def cohort_stats(e, cohort, k):
    "Mean and std of each row's `k` highest cohort scores (all of them for 'all')."
    s = e @ cohort.T
    if k != 'all': s = -np.partition(-s, k - 1, axis=1)[:, :k]
    return s.mean(1), s.std(1)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('model', help='embedding model (.keras)')
    ap.add_argument('--train', default='$COSFACE_CACHE/lfw_view1_celeba_train', help='the training identity folder (the cohort)')
    ap.add_argument('--pairs', nargs='+', default=['$COSFACE_DATA/lfw/pairsDevTrain.txt=$COSFACE_CACHE/lfw_aligned',
                                                   '$COSFACE_DATA/lfw/pairsDevTest.txt', '$COSFACE_CACHE/celeba_heldout/celeba_heldout.txt'],
                    help='pairs sets, each `PATH` or `PATH=ROOT` (ROOT: its aligned images; default --root)')
    ap.add_argument('--root', default='$COSFACE_CACHE/lfw_aligned_pairs', help='aligned images of LFW-format pairs')
    a = ap.parse_args()
    model = load_embedding_model(expand_path(a.model)); size = model_image_size(model)
    sets = [load_set(p, a.root) for p in a.pairs]
    scan = scan_identities(expand_path(a.train))
    cohort = class_means(embed(model, scan.images.path, size).astype(np.float64), scan.images.identity.values)
    print(f'cohort: {len(cohort):,} identity means of {len(scan.images):,} training images', flush=True)
    embs = [embed(model, s.images, size).astype(np.float64) for s in sets]
    for k in KS:
        for s, e in zip(sets, embs):
            raw = cosine_scores(e[s.idx1], e[s.idx2])
            if k == 0: sc = raw
            else:
                mu, sd = cohort_stats(e, cohort, k)
                sc = ((raw - mu[s.idx1]) / sd[s.idx1] + (raw - mu[s.idx2]) / sd[s.idx2]) / 2
            v = verify_scores(sc, s.issame, folds=s.folds)
            print(f'k {k}: {s.name}: {v.accuracy_text()}, AUC {v.auc:.4f}', flush=True)

if __name__ == '__main__': main()
