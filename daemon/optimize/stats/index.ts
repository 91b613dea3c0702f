// The experiment-statistics and bandit layer: pure functions over numbers, no I/O.
export * from './sufficientStats';
export * from './effectEstimate';
export * from './frequentist';
export * from './sequential';
export * from './bayesian';
export * from './deltaMethod';
export * from './cuped';
export * from './srm';
export * from './multipleTesting';
export * from './sampleSize';
export * from './nonInferiority';
export * from './experimentDecision';
export * from './pairedReplay';
export * from './liveSplitDecision';
export * from './bandit';
export * from './specialFunctions';
export * from './splitDesign';
