import { it } from 'vitest';
import { GpuNmf } from '../../src/nmf/gpu-solver.ts';
import { CpuNmf } from '../../src/nmf/reference.ts';
import { caseName, maxAbsoluteDeviation, maxRelativeDeviation, plantedV, sklearn, sklearnInit, sklearnPositiveInit, sklearnPositiveV, sklearnV, transformV } from '../fixtures/sklearn.ts';
import { environment, useDevice } from './helpers.ts';
const gpu = useDevice();
const rank = sklearn.rank;
const fmt = (x: number) => x.toExponential(1);
it('numbers', async () => {
  const lines: string[] = [`environment ${environment}`];
  for (const c of sklearn.mu) {
    const v = c.positive ? sklearnPositiveV : sklearnV;
    const init = c.positive ? sklearnPositiveInit : sklearnInit;
    const nmf = await GpuNmf.create(gpu.device, v, { rank, beta: c.beta, alphaW: c.alphaW, alphaH: c.alphaH, l1Ratio: c.l1Ratio, init });
    const curve = (await nmf.run(200, { lossEvery: 1, iterationsPerSubmit: 50 })).map((r) => r.loss);
    nmf.destroy();
    const cpu = new CpuNmf(v, { rank, beta: c.beta, alphaW: c.alphaW, alphaH: c.alphaH, l1Ratio: c.l1Ratio, init });
    const cpuCurve: number[] = [];
    for (let i = 0; i < 200; i++) { cpu.step(); cpuCurve.push(cpu.loss()); }
    lines.push(`MU ${caseName(c)} | GPU ${fmt(maxRelativeDeviation(curve, c.curve))} | CPU ${fmt(maxRelativeDeviation(cpuCurve, c.curve))}`);
  }
  for (const c of sklearn.muTol) {
    const nmf = await GpuNmf.create(gpu.device, sklearnV, { rank, beta: c.beta, tol: c.tol, maxIter: c.maxIter, init: sklearnInit });
    const r = await nmf.fit({ recordEvery: 0 });
    nmf.destroy();
    lines.push(`MU tol ${caseName(c)} | sk ${c.iterations} ${c.converged} gpu ${r.iterations} ${r.converged} | loss dev ${fmt(Math.abs(r.history.at(-1)!.loss - c.loss) / c.loss)}`);
  }
  for (const c of sklearn.cd) {
    const nmf = await GpuNmf.create(gpu.device, sklearnV, { rank, solver: 'cd', tol: c.tol, maxIter: c.maxIter, alphaW: c.alphaW, alphaH: c.alphaH, l1Ratio: c.l1Ratio, init: sklearnInit });
    const r = await nmf.fit({ recordEvery: 0 });
    const W = await nmf.readW();
    nmf.destroy();
    lines.push(`CD ${caseName(c)} | sk ${c.iterations} ${c.converged} gpu ${r.iterations} ${r.converged} | loss dev ${fmt(Math.abs(r.history.at(-1)!.loss - c.loss) / c.loss)} | W abs ${fmt(maxAbsoluteDeviation(W, c.W))}`);
  }
  for (const c of sklearn.transform.cases) {
    const nmf = await GpuNmf.create(gpu.device, sklearnV, { rank, solver: c.solver, beta: c.beta, init: { W: sklearnInit.W, H: Float32Array.from(sklearn.transform.H) } });
    const r = await nmf.transform(transformV);
    nmf.destroy();
    lines.push(`transform ${c.solver} beta ${c.beta} | sk ${c.iterations} gpu ${r.iterations} | W abs ${fmt(maxAbsoluteDeviation(r.W, c.W))}`);
  }
  for (const method of ['nndsvd', 'nndsvda', 'nndsvdar'] as const) {
    const nmf = await GpuNmf.create(gpu.device, plantedV, { rank, init: method, seed: 5 });
    const W = await nmf.readW(); const H = await nmf.readH();
    nmf.destroy();
    const base = sklearn.nndsvd[method === 'nndsvdar' ? 'nndsvd' : method];
    const keep = (x: Float32Array, b: number[]) => Array.from(x, (v, i) => (b[i] === 0 && method === 'nndsvdar' ? 0 : v));
    lines.push(`${method} | W abs ${fmt(maxAbsoluteDeviation(keep(W, base.W), base.W))} H abs ${fmt(maxAbsoluteDeviation(keep(H, base.H), base.H))}`);
  }
  console.log(lines.join('\n'));
});
