// Every optimizer the cycle runs, in order. Adding one is a file in optimizers/ and a line here.
import type { Optimizer } from './optimizer';
import { cachingOptimizer } from './optimizers/caching';
import { concurrencyOptimizer } from './optimizers/concurrency';
import { maxTokensOptimizer } from './optimizers/maxTokens';
import { modelSelectionOptimizer } from './optimizers/modelSelection';
import { parallelizeOptimizer } from './optimizers/parallelize';
import { promptCompressionOptimizer } from './optimizers/promptCompression';
import { retryTimeoutOptimizer } from './optimizers/retryTimeout';

export const OPTIMIZERS: readonly Optimizer[] = [
  cachingOptimizer,
  maxTokensOptimizer,
  promptCompressionOptimizer,
  modelSelectionOptimizer,
  parallelizeOptimizer,
  retryTimeoutOptimizer,
  concurrencyOptimizer,
];
