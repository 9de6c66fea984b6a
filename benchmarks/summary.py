"""One Markdown table of every benchmark's latest figures (from benchmarks/results/*.json), for the README.

    .venv/bin/python benchmarks/summary.py [--results benchmarks/results]
"""
import argparse, json
from pathlib import Path

def load(d:Path, name:str):
    p = d/f'{name}.json'
    return json.loads(p.read_text()) if p.is_file() else None

def rows(d:Path)->list:
    "(benchmark, setting, figure) rows from whatever results exist."
    out = []
    if (t := load(d, 'train_step')):
        for r in t['rows']:
            out.append(('training step (in-memory tensors)', f"{r['backbone']} {r['precision']}, batch {r['batch']}, 112 px",
                        f"{r['images_per_s']} images/s ({100 * r['fraction_of_peak']:.0f}% of the {r['matmul_peak_gflops']} GFLOP/s matmul peak)"))
    if (p := load(d, 'peer_step')):
        for r in p.get('rows', []):
            peer = r.get('peer')
            out.append(('IResNet-50 step vs arcface_torch (PyTorch), ABBA', f"{r['precision']}, batch {r['batch']}, {r['steps']} steps",
                        f"{r['project']['images_per_s']} vs {peer['images_per_s']} images/s = {r['ratio_project_over_peer']:.2f}x" if peer else
                        f"{r['project']['images_per_s']} images/s (peer not set up)"))
    if (n := load(d, 'naive_keras')):
        out.append(('training loop vs naive Keras recipe', f"{n['backbone']} {n['image_size']} px, batch {n['batch']}, {n['identities']} identities",
                    f"{n['cosface_images_per_s']} vs {n['naive_images_per_s']} images/s = {n['ratio']:.2f}x"))
    if (pl := load(d, 'pipeline')):
        for r in pl['rows']:
            out.append(('input pipeline alone (streaming, no cache)', r['source'],
                        f"{r['pipeline_images_per_s']} images/s = {r['headroom']}x what MobileFaceNet consumes ({r['backbone_images_per_s']}); "
                        f"fed step {r['fed_vs_memory']:.2f}x in-memory"))
    if (m := load(d, 'memory')):
        for r in m.get('pipeline', []):
            if r.get('ok'):
                out.append(('pipeline memory', f"cache {r['cache']} ({r.get('chosen')}), {m['decoded_mb']} MB of decoded images",
                            f"peak RSS +{r['growth_mb']} MB"))
    if (e := load(d, 'evaluation')):
        for r in e['rows']:
            extra = f" ({r['images_per_s']} images/s)" if 'images_per_s' in r else ''
            out.append(('LFW View 2 evaluation', r['step'], f"{r['seconds']} s{extra}"))
    if (a := load(d, 'alignment')):
        for r in a['rows']:
            out.append(('alignment (detect + warp + write)', f"{r['detector']}, {r['workers']} worker(s), batch {r['batch']}",
                        f"{r['images_per_s']} images/s, detection rate {100 * r['detection_rate']:.2f}%, all LFW in {r['lfw_minutes']} min"))
    if (i := load(d, 'inference')):
        for r in i['rows']:
            out.append(('embedding latency (one image)', f"{r['format']} {r['precision']}, {i['image_size']} px",
                        f"{r['latency_ms']} ms, {r['images_per_s']} images/s batched"))
    return out

def machines(d:Path)->set:
    "How each result file names its machine."
    out = set()
    for p in d.glob('*.json'):
        j = json.loads(p.read_text())
        out.add(j['machine']['text'] if isinstance(j.get('machine'), dict) else f"{j['cpu']}, {j['cores']} cores" if 'cpu' in j else None)
    return out - {None}

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--results', default='benchmarks/results')
    d = Path(ap.parse_args().results)
    print('Measured on: ' + '; '.join(sorted(machines(d))) + '\n')
    print('| benchmark | setting | figure |\n|---|---|---|')
    for r in rows(d): print('| ' + ' | '.join(map(str, r)) + ' |')
