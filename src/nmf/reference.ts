/**
 * The CPU reference in float64: products, the β-divergence, the MU and CD
 * updates and the solver that runs them (see reference/).
 */
export { EPSILON, frobeniusError, matmul, multiplicativeUpdate, scaledV } from './reference/linalg.ts';
export { betaDivergence } from './reference/beta-divergence.ts';
export { FLOAT64_EPSILON, muUpdateH, muUpdateW, type MuStep } from './reference/mu.ts';
export { cdSweep, type Strides } from './reference/cd.ts';
export { CpuNmf, cpuProducts, transformSolver, type CpuFitOptions } from './reference/solver.ts';
