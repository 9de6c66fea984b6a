"""Which face does each selection rule keep? Counts and montages of the images where `largest` and `center` differ.

For every image of an aligned folder whose `align_report.csv` saw two or more faces passing the score, the faces are
detected again (MTCNN, batched) and both rules applied: `largest` (box area) and `center` (box centre nearest the image
centre). Writes `reports/figures/select_<name>.jpg` (each changed image with the largest face in red and the centred
one in green) and `reports/figures/select_<name>.json` (counts), and prints the counts.

    .venv/bin/python experiments/selection_changes.py [--aligned $COSFACE_CACHE/lfw_aligned] [--name lfw]
"""
import argparse, json
from pathlib import Path
import numpy as np, pandas as pd, cv2
import cosface
from cosface.paths import cache_dir, expand_path, public_path
from cosface.images import read_rgb, montage, write_image
from cosface.geometry import choose_face
from cosface.detectors import get_detector

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--aligned', default=str(cache_dir()/'lfw_aligned'), help='an aligned folder (cosface_align output, with align_report.csv)')
    ap.add_argument('--name', default='lfw', help='name of the outputs')
    ap.add_argument('--min_score', type=float, default=0.9)
    ap.add_argument('--show', type=int, default=40, help='changed images in the montage')
    a = ap.parse_args()
    rep = pd.read_csv(Path(expand_path(a.aligned))/'align_report.csv')
    several = rep[rep.n_faces >= 2].reset_index(drop=True)
    det, rows, shown = get_detector('mtcnn'), [], []
    for i in range(0, len(several), 16):
        chunk = several.iloc[i:i + 16]
        imgs = [read_rgb(expand_path(p)) for p in chunk.src]
        for (_, r), img, faces in zip(chunk.iterrows(), imgs, det.detect_batch(imgs)):
            big, mid = choose_face(faces, img.shape, 'largest', a.min_score), choose_face(faces, img.shape, 'center', a.min_score)
            changed = big is not None and mid is not None and not np.allclose(big.box, mid.box)
            rows.append(dict(src=r.src, identity=r.identity, n_faces=len([f for f in faces if f.score >= a.min_score]), changed=changed))
            if changed and len(shown) < a.show:
                im = img.copy()
                for f, c in ((big, (220, 30, 30)), (mid, (30, 200, 30))):
                    x1, y1, x2, y2 = map(int, f.box); cv2.rectangle(im, (x1, y1), (x2, y2), c, max(2, im.shape[0] // 100))
                shown.append((im, r.identity))
        print(f'{min(i + 16, len(several))}/{len(several)} images with several faces checked', end='\r', flush=True)
    df = pd.DataFrame(rows)
    out = Path('reports/figures'); out.mkdir(parents=True, exist_ok=True)
    if shown:
        write_image(montage([s[0] for s in shown], [str(s[1])[:16] for s in shown], ncols=8, tile=160), out/f'select_{a.name}.jpg', 88)
    summary = dict(aligned=public_path(a.aligned), images=int(len(rep)), with_several_faces=int(len(several)),
                   changed=int(df.changed.sum()) if len(df) else 0, identities_changed=int(df[df.changed].identity.nunique()) if len(df) else 0,
                   rule='largest box area vs box centre nearest the image centre; MTCNN, faces scoring >= %g' % a.min_score,
                   montage=f'select_{a.name}.jpg (red: largest, green: centred; the first {len(shown)} changed images)')
    (out/f'select_{a.name}.json').write_text(json.dumps(summary, indent=1) + '\n')
    print(f"\n{summary['changed']:,} of {summary['images']:,} images ({summary['with_several_faces']:,} with several faces) keep a different face "
          f"under 'center' than under 'largest'; montage: {out/f'select_{a.name}.jpg'}")

if __name__ == '__main__': main()
