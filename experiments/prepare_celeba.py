"""Prepare the data of the fine-tuning experiment (experiments/finetune.yaml) from the shared CelebA subset, into $COSFACE_CACHE.

    .venv/bin/python experiments/prepare_celeba.py [--workers 2]

1. aligns every CelebA-subset photo (MTCNN; these are wild photos, so the largest face is kept) into
   $COSFACE_CACHE/celeba_aligned;
2. splits its identities, seeded, into two thirds to fine-tune on ($COSFACE_CACHE/celeba_finetune) and one third held
   out for verification pairs ($COSFACE_CACHE/celeba_heldout): folders of links, no copies, no person in both.
Resumable: run it again and only what is missing is done.
"""
import argparse, random
import cosface
from cosface.paths import data_root, cache_dir, link_identities, public_path, scan_identities
from cosface.align import align_folder

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--workers', type=int, default=2, help='detector processes')
    ap.add_argument('--seed', type=int, default=0, help='seed of the identity split')
    a = ap.parse_args()
    src, cache = data_root()/'celeba-subset'/'images', cache_dir()
    align_folder(src, cache/'celeba_aligned', 'mtcnn', select='largest', workers=a.workers)
    ids = sorted(scan_identities(cache/'celeba_aligned').identities)
    random.Random(a.seed).shuffle(ids)
    cut = round(len(ids) * 2 / 3)
    for name, part in (('celeba_finetune', sorted(ids[:cut])), ('celeba_heldout', sorted(ids[cut:]))):
        print(link_identities(cache/'celeba_aligned', part, cache/name).summary().replace(str(cache), '$COSFACE_CACHE'))
