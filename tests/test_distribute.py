"""tf.distribute: MirroredStrategy over two logical CPU devices, MultiWorkerMirroredStrategy over two local worker processes (slow: COSFACE_SLOW=1)."""
import os, json, socket, subprocess, sys
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k not in ('TF_CPP_MIN_LOG_LEVEL', 'COSFACE_VERBOSE', 'TF_CONFIG')}
slow = pytest.mark.skipif(not os.environ.get('COSFACE_SLOW'), reason='slow (minutes): run with COSFACE_SLOW=1 or make test-slow')

# Runs in a fresh process: TensorFlow's CPU must be split into two logical devices before anything starts it.
MIRRORED = r'''
import json, sys
from pathlib import Path
import numpy as np, pandas as pd
import tensorflow as tf
tf.config.set_logical_device_configuration(tf.config.list_physical_devices('CPU')[0], [tf.config.LogicalDeviceConfiguration()] * 2)
import cosface, keras
from cosface.testing import write_toy_faces, tiny_config
from cosface.train import train, make_strategy, Interrupt
from cosface.checkpoints import read_state
from cosface.optim import GroupedModel
d = Path(sys.argv[1]); out = {}
root = write_toy_faces(d/'faces', n_ids=4, n_imgs=10, size=32)
cfg = tiny_config(data=str(root), epochs=3, save_every=2, deterministic=True, distribute='mirrored')
out['replicas'] = make_strategy('mirrored').num_replicas_in_sync
try: train(cfg.replace(output_dir=str(d/'odd'), batch_size=7)); out['odd_batch'] = 'accepted'
except ValueError as e: out['odd_batch'] = str(e)
one = train(cfg.replace(output_dir=str(d/'one'), distribute='none'))
a = train(cfg.replace(output_dir=str(d/'a')))
b = cfg.replace(output_dir=str(d/'b'))
try: train(b, callbacks=[Interrupt(2, 2)])
except KeyboardInterrupt: pass
st = read_state(d/'b'); out['interrupted_at'] = [st.epoch, st.step]
r = train(b, resume=True)
cols = ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr']
out['history'] = {k: x.history[cols].values.tolist() for k, x in (('one', one), ('a', a), ('resumed', r))}
w = lambda p: [keras.ops.convert_to_numpy(v) for v in keras.saving.load_model(p).weights]
out['resumed_vs_a'] = max(float(np.abs(x - y).max()) for x, y in zip(w(r.final_model), w(a.final_model)))
out['a_vs_one'] = max(float(np.abs(x - y).max()) for x, y in zip(w(a.final_model), w(one.final_model)))
out['embedding_shape'] = list(keras.saving.load_model(a.embedding_model).output.shape)
from cosface.finetune import finetune, FinetuneConfig       # differential: one optimizer per layer group (GroupedModel)
ft = finetune(FinetuneConfig(pretrained_model=str(a.final_model), data=str(root), output_dir=str(d/'ft'), strategy='differential', epochs=2,
                             head_epochs=1, batch_size=8, val_split=0.25, progress=0, precision='fp32', distribute='mirrored'))
out['finetune'] = ft.train.history.loss.tolist()
out['finetune_models'] = [list(keras.saving.load_model(ft.run_dir/'embedding_model.keras').output.shape),
                         keras.saving.load_model(ft.run_dir/'final_model_differential.keras').get_layer('cosface').n_classes]
# GroupedModel (one optimizer per layer group): a two-replica step equals a one-device step
x, y = np.random.default_rng(0).normal(size=(8, 4)).astype('float32'), np.ones((8, 1), 'float32')
def step(strategy):
    with strategy.scope():
        keras.utils.set_random_seed(0)
        i = keras.Input((4,)); m = GroupedModel(i, keras.layers.Dense(1, name='top')(keras.layers.Dense(3, name='bottom')(i)))
        groups = [(n, m.get_layer(n).trainable_variables, keras.optimizers.SGD(lr)) for n, lr in (('bottom', 0.001), ('top', 0.1))]
        m.compile(optimizer=groups[-1][2], loss='mse'); m.set_groups(groups)
        h = m.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(8), epochs=1, verbose=0)
    return h.history['loss'][0], [v.numpy() for v in m.trainable_variables]
(l1, w1), (l2, w2) = step(tf.distribute.get_strategy()), step(make_strategy('mirrored'))
out['grouped'] = [l1, l2, max(float(np.abs(p - q).max()) for p, q in zip(w1, w2))]
print('RESULT ' + json.dumps(out))
'''

def run_py(code, *args, env=None, timeout=1200):
    r = subprocess.run([sys.executable, '-c', code, *map(str, args)], capture_output=True, text=True, env=env or ENV, timeout=timeout)
    assert r.returncode == 0, f'failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return json.loads(next(l for l in r.stdout.splitlines() if l.startswith('RESULT '))[7:])

@slow
def test_mirrored_two_cpu_devices(tmp_path):
    import numpy as np
    out = run_py(MIRRORED, tmp_path)
    print(json.dumps(out, indent=1))
    assert out['replicas'] == 2
    assert 'must split evenly over the 2 replicas' in out['odd_batch'], out['odd_batch']
    one, a, resumed = (np.array(out['history'][k]) for k in ('one', 'a', 'resumed'))
    assert len(a) == 3 and np.isfinite(a).all() and a[-1, 0] < a[0, 0], a      # it trains: the loss goes down
    # Not the one-device run: BatchNorm normalises each replica's 4 images, not the global 8 (a_vs_one is the weight gap).
    assert np.isfinite(one).all() and out['a_vs_one'] > 0
    np.testing.assert_allclose(resumed, a, rtol=1e-4, atol=1e-5)    # interrupted mid-epoch and resumed: the uninterrupted run
    assert out['interrupted_at'] == [1, 2] and out['resumed_vs_a'] < 1e-4
    assert out['embedding_shape'] == [None, 16]
    assert len(out['finetune']) == 2 and np.isfinite(out['finetune']).all(), out['finetune']
    assert out['finetune_models'] == [[None, 16], 4]
    l1, l2, dw = out['grouped']
    assert abs(l1 - l2) < 1e-5 and dw < 1e-6, out['grouped']

def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks: s.bind(('localhost', 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks: s.close()
    return ports

@slow
def test_multiworker_two_local_workers(tmp_path):
    from cosface.testing import write_toy_faces
    root = write_toy_faces(tmp_path/'faces', n_ids=4, n_imgs=10, size=32)
    run = tmp_path/'run'
    args = ['--data', root, '--output_dir', run, '--distribute', 'multiworker', '--backbone', 'mobilefacenet', '--image_size', 32,
            '--embedding_dim', 16, '--batch_size', 8, '--epochs', 2, '--head_epochs', 1, '--s', 16, '--m', 0.2, '--lr', 0.05,
            '--val_split', 0.25, '--progress', 0, '--log_every', 1, '--precision', 'fp32']
    workers = [f'localhost:{p}' for p in free_ports(2)]
    procs, tmps = [], []
    for i in range(2):
        tmps.append(tmp_path/f'tmp{i}'); tmps[-1].mkdir()
        env = {**ENV, 'TMPDIR': str(tmps[-1]), 'TF_CONFIG': json.dumps({'cluster': {'worker': workers}, 'task': {'type': 'worker', 'index': i}})}
        procs.append(subprocess.Popen([str(BIN/'cosface_train'), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env))
    outs = []
    try:
        for p in procs: outs.append(p.communicate(timeout=1200)[0])
    finally:
        for p in procs:
            if p.poll() is None: p.kill()
    logs = '\n'.join(f'--- worker {i} (exit {p.returncode}):\n{o[-3000:]}' for i, (p, o) in enumerate(zip(procs, outs)))
    assert all(p.returncode == 0 for p in procs), logs
    print(outs[0][-2000:]); print(outs[1][-1000:])
    assert 'MultiWorkerMirroredStrategy, 2 replicas (2 machine(s)' in outs[0]
    assert 'the chief writes the run folder' in outs[1]
    import pandas as pd, numpy as np
    import cosface, keras
    assert (run/'embedding_model.keras').is_file() and (run/'final_model.keras').is_file()
    assert len(list((run/'checkpoints').glob('epoch_*.keras'))) == 2
    h = pd.read_csv(run/'logs'/'history.csv')
    assert len(h) == 2 and np.isfinite(h.loss).all()
    assert keras.saving.load_model(run/'embedding_model.keras').output.shape == (None, 16)
    keras.saving.load_model(run/'final_model.keras')
    assert not list(tmps[1].iterdir()), list(tmps[1].iterdir())    # the worker's temporary run folder is gone
    assert not [p for p in tmp_path.iterdir() if p.name not in ('faces', 'run', 'tmp0', 'tmp1')]
