"""Re-warp the aligned caches at another face size: the ArcFace template scaled by `--face_scale` about the crop's centre.

    .venv/bin/python experiments/loose_crop.py --face_scale 0.8     # a looser crop (recipe_z80.yaml)
    .venv/bin/python experiments/loose_crop.py --face_scale 1.1     # a tighter crop (recipe_z110.yaml)

Reads the landmarks that alignment recorded in each cache's align_report.csv (no detection is run again) and writes
`$COSFACE_CACHE/<cache>_z<face_scale*100>` for lfw_aligned, lfw_aligned_pairs and celeba_aligned, then the training tree
lfw_view1_celeba_train_z.. and the CelebA test tree celeba_heldout_z.. (with its pairs file) as links, like
prepare_recipe.py. A face_scale of 0.8 makes the face 0.8 times as large in the crop, so the crop shows 1.25 times as
much of the head around it (hair, ears, chin); 1.1 gives the inner face more pixels. Images that alignment
centre-cropped (no face found) get a centre crop 1/face_scale times as large. `cosface_align --face_scale` makes the
same crops from raw images (detecting again); this script only saves the detection time.
"""
import argparse, json, shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
import numpy as np, pandas as pd
import cosface
from cosface.geometry import align_face
from cosface.images import read_rgb, write_image, center_crop
from cosface.paths import cache_dir, public_path, link_identities, scan_identities

def warp(job):
    src, dst, lm, method, face_scale, size, fallback_crop = job
    img = read_rgb(src)
    if method == 'landmarks': out = align_face(img, lm, size, face_scale=face_scale)
    else: out = center_crop(img, size, min(1.0, fallback_crop / face_scale))
    write_image(out, dst); return 1

def rewarp(name, face_scale, size=112):
    cache = cache_dir(); old, new = cache/name, cache/f'{name}_z{round(face_scale*100)}'
    rep = pd.read_csv(old/'align_report.csv'); summ = json.loads((old/'align_summary.json').read_text())
    rep = rep[rep.method.isin(['landmarks', 'fallback_center'])]
    jobs = []
    for r in rep.itertuples():
        rel = Path(r.dst).relative_to(old) if Path(r.dst).is_absolute() else Path(r.dst)
        lm = np.array(json.loads(r.landmarks)) if isinstance(r.landmarks, str) and r.landmarks else None
        jobs.append((r.src, str(new/rel), lm, r.method, face_scale, size, summ.get('fallback_crop') or 0.52))
    with ProcessPoolExecutor(2) as ex: n = sum(ex.map(warp, jobs, chunksize=64))
    write_record(old, new, rep, summ, face_scale)
    print(f'{new.name}: {n} images ({rep.method.value_counts().to_dict()})'); return new

def write_record(old, new, rep, summ, face_scale):
    "The new folder's align_report.csv and align_summary.json: the old ones with the new paths and the face_scale (what publishing reads)."
    rep = rep.assign(dst=[str(new/Path(d).relative_to(old)) for d in rep.dst])
    rep.to_csv(new/'align_report.csv', index=False)
    summ = {**summ, 'dst': public_path(new), 'face_scale': face_scale, 'n_processed': 0, 'seconds': None, 'images_per_s': None,
            'alignment': f'5-point similarity onto the ArcFace template scaled by {face_scale:g}',
            'realigned_from': public_path(old) + '/align_report.csv (its recorded landmarks; experiments/loose_crop.py)'}
    (new/'align_summary.json').write_text(json.dumps(summ, indent=2))

def relink(tree, suffix):
    "`<tree><suffix>`: `tree`'s identities linked from the re-warped copies of the aligned folders they live in, its files copied."
    old, new = cache_dir()/tree, cache_dir()/f'{tree}{suffix}'
    groups = {}
    for p in sorted(old.iterdir()):
        if p.is_dir(): groups.setdefault(p.resolve().parent, []).append(p.name)
        else: new.mkdir(parents=True, exist_ok=True); shutil.copyfile(p, new/p.name)   # e.g. the held-out pairs file
    for folder, names in groups.items(): link_identities(folder.with_name(folder.name + suffix), names, new)
    return scan_identities(new)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--face_scale', type=float, default=0.8); a = ap.parse_args()
    z = f'_z{round(a.face_scale*100)}'
    for n in ('lfw_aligned', 'lfw_aligned_pairs', 'celeba_aligned'): rewarp(n, a.face_scale)
    for tree in ('lfw_view1_celeba_train', 'celeba_heldout'):   # the training tree and the CelebA test tree (prepare_recipe.py)
        print(f'{tree}{z}: {len(relink(tree, z).identities)} identities')
