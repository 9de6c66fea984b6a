"""Prepare the data of the CPU recipe (experiments/recipe.yaml), after prepare_lfw.py and prepare_celeba.py, into $COSFACE_CACHE.

    .venv/bin/python experiments/prepare_recipe.py

1. links every View 1 training person (single-image people included) and the CelebA identities of
   $COSFACE_CACHE/celeba_finetune into $COSFACE_CACHE/lfw_view1_celeba_train (CelebA's identities are disjoint
   from LFW's by construction of CelebFaces+; its numeric names cannot collide with LFW's);
2. writes $COSFACE_CACHE/celeba_heldout/celeba_heldout.txt (copied to experiments/celeba_heldout.txt for the record):
   10 identity-disjoint folds x (150 matched + 150 mismatched) pairs of the held-out CelebA identities
   ($COSFACE_CACHE/celeba_heldout, none of them in training), the cross-dataset test. Its paths are relative to that
   folder, so it is used in place (`--verify_pairs $COSFACE_CACHE/celeba_heldout/celeba_heldout.txt`) or with
   `--lfw_root $COSFACE_CACHE/celeba_heldout`.
"""
import cosface
from cosface.paths import cache_dir, link_identities, public_path, scan_identities
from cosface.pairs import make_pairs
import shutil
from pathlib import Path

def write_heldout_pairs(heldout:Path, # the held-out CelebA identity folder
                       ):
    "Write `heldout/celeba_heldout.txt` (10 identity-disjoint folds x 150 + 150 pairs, seed 0); returns (its path, the pairs)."
    pairs = heldout/'celeba_heldout.txt'
    return pairs, make_pairs(heldout, n_folds=10, pairs_per_fold=150, seed=0, out=pairs)

if __name__ == '__main__':
    cache, out = cache_dir(), cache_dir()/'lfw_view1_celeba_train'
    lfw, celeba = scan_identities(cache/'lfw_view1_train'), scan_identities(cache/'celeba_finetune')
    held = scan_identities(cache/'celeba_heldout')
    assert not set(held.identities) & set(celeba.identities), 'celeba_finetune and celeba_heldout share identities'
    link_identities(cache/'lfw_view1_train', sorted(lfw.identities), out)
    print(link_identities(cache/'celeba_finetune', sorted(celeba.identities), out).summary().replace(str(out), public_path(out)))
    pairs, df = write_heldout_pairs(cache/'celeba_heldout')
    shutil.copyfile(pairs, Path(__file__).parent/'celeba_heldout.txt')
    print(f'{public_path(pairs)}: {len(df):,} pairs of {len(held.identities)} held-out CelebA identities')
