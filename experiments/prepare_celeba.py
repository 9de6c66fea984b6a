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

def split_identities(aligned, # an aligned identity folder
                     seed:int=0, # seed of the shuffle
                    )->tuple:
    "The identities of `aligned`, shuffled with `seed`: (two thirds to fine-tune on, one third held out), each sorted."
    ids = sorted(scan_identities(aligned).identities)
    random.Random(seed).shuffle(ids)
    cut = round(len(ids) * 2 / 3)
    return sorted(ids[:cut]), sorted(ids[cut:])

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--workers', type=int, default=2, help='detector processes')
    ap.add_argument('--seed', type=int, default=0, help='seed of the identity split')
    a = ap.parse_args()
    src, cache = data_root()/'celeba-subset'/'images', cache_dir()
    align_folder(src, cache/'celeba_aligned', 'mtcnn', select='largest', workers=a.workers)
    for name, part in zip(('celeba_finetune', 'celeba_heldout'), split_identities(cache/'celeba_aligned', a.seed)):
        print(link_identities(cache/'celeba_aligned', part, cache/name).summary().replace(str(cache), '$COSFACE_CACHE'))
