"""How far do ensembles of the hour-long recipe models get? Verification accuracy of their concatenated embeddings.

Each model embeds the pair images at its own input size (flip-summed, L2-normalised, as `cosface_validate` does);
an ensemble's embedding is the concatenation of its members', so its cosine is the mean of theirs. Prints each model
alone, then every ensemble of 2 and 3 of them, on View 1 test pairs and on the held-out CelebA pairs. No training:
it answers whether averaging models (each trained for an hour) would reach the figure one hour cannot.

    .venv/bin/python experiments/ensemble_check.py RUN [RUN ...]     # run folders holding embedding_model.keras
"""
import argparse, itertools
from pathlib import Path
import numpy as np
from cosface.paths import expand_path
from cosface.evaluate import load_embedding_model, model_image_size
from cosface.verify import verify_scores, cosine_scores
from whiten_check import load_set, embed

def score(s, e):
    "A set's verification result for embeddings `e` of its images."
    return verify_scores(cosine_scores(e[s.idx1], e[s.idx2]), s.issame, folds=s.folds)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('runs', nargs='+', help='run folders (each with embedding_model.keras)')
    ap.add_argument('--pairs', nargs='+', default=['$COSFACE_DATA/lfw/pairsDevTest.txt', '$COSFACE_CACHE/celeba_heldout/celeba_heldout.txt'],
                    help='pairs sets, each `PATH` or `PATH=ROOT`')
    ap.add_argument('--root', default='$COSFACE_CACHE/lfw_aligned_pairs', help='aligned images of LFW-format pairs')
    ap.add_argument('--max_size', type=int, default=3, help='largest ensemble')
    a = ap.parse_args()
    sets = [load_set(p, a.root) for p in a.pairs]
    names = [Path(r).name for r in a.runs]
    emb = {}
    for name, run in zip(names, a.runs):
        model = load_embedding_model(expand_path(f'{run}/embedding_model.keras'))
        es = [embed(model, s.images, model_image_size(model)) for s in sets]
        emb[name] = [e / np.linalg.norm(e, axis=1, keepdims=True) for e in es]
    for k in range(1, a.max_size + 1):
        accs = []
        for members in itertools.combinations(names, k):
            res = [score(s, np.concatenate([emb[m][i] for m in members], 1)) for i, s in enumerate(sets)]
            accs.append([v.accuracy_mean for v in res])
            print(' + '.join(members) + ': ' + '; '.join(f'{s.name} {v.accuracy_text()}, AUC {v.auc:.4f}' for s, v in zip(sets, res)), flush=True)
        accs = np.array(accs) * 100
        print(f'ensembles of {k} ({len(accs)}): ' + '; '.join(f'{s.name} mean {accs[:, i].mean():.2f}%, best {accs[:, i].max():.2f}%'
                                                           for i, s in enumerate(sets)), flush=True)

if __name__ == '__main__': main()
