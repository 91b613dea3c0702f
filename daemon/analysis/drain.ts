// Drain log-template clustering (He et al., ICWS 2017) with Drain3's semantics: a fixed-depth
// prefix tree keyed by token count then leading tokens, similarity-threshold matching at the
// leaves, templates generalised position by position, and an optional LRU cap on clusters.

export interface DrainOptions {
  /** Tree depth including root and token-count layer (minimum 3). Default 4. */
  depth?: number;
  /** Similarity threshold for joining a cluster. Default 0.4. */
  simTh?: number;
  maxChildren?: number;
  /** When set, least-recently-matched clusters are evicted past this count. */
  maxClusters?: number;
  paramStr?: string;
  parametrizeNumericTokens?: boolean;
  extraDelimiters?: string[];
  /** Applied to each message before tokenising (e.g. regex masking of ids and numbers). */
  mask?: (message: string) => string;
}

export interface DrainCluster {
  id: number;
  templateTokens: string[];
  size: number;
}

export type DrainChange = 'cluster_created' | 'cluster_template_changed' | 'none';

export interface DrainResult {
  cluster: DrainCluster;
  change: DrainChange;
}

interface TreeNode {
  children: Map<string, TreeNode>;
  clusterIds: number[];
}

const newNode = (): TreeNode => ({ children: new Map(), clusterIds: [] });
const hasDigit = /\d/;

export function templateOf(c: DrainCluster): string {
  return c.templateTokens.join(' ');
}

export class Drain {
  private readonly maxNodeDepth: number;
  private readonly simTh: number;
  private readonly maxChildren: number;
  private readonly maxClusters: number | undefined;
  private readonly paramStr: string;
  private readonly parametrizeNumeric: boolean;
  private readonly delimiters: string[];
  private readonly mask: ((s: string) => string) | undefined;
  private readonly root = newNode();
  /** Insertion order doubles as LRU order: a match re-inserts the cluster at the end. */
  private readonly idToCluster = new Map<number, DrainCluster>();
  private counter = 0;

  constructor(o: DrainOptions = {}) {
    const depth = o.depth ?? 4;
    if (depth < 3) throw new Error('Drain depth must be at least 3');
    this.maxNodeDepth = depth - 2;
    this.simTh = o.simTh ?? 0.4;
    this.maxChildren = o.maxChildren ?? 100;
    this.maxClusters = o.maxClusters;
    this.paramStr = o.paramStr ?? '<*>';
    this.parametrizeNumeric = o.parametrizeNumericTokens ?? true;
    this.delimiters = o.extraDelimiters ?? [];
    this.mask = o.mask;
  }

  get clusters(): DrainCluster[] {
    return [...this.idToCluster.values()];
  }

  totalClusterSize(): number {
    let n = 0;
    for (const c of this.idToCluster.values()) n += c.size;
    return n;
  }

  tokenize(message: string): string[] {
    let s = (this.mask ? this.mask(message) : message).trim();
    for (const d of this.delimiters) s = s.split(d).join(' ');
    return s.split(/\s+/).filter((t) => t.length > 0);
  }

  addLogMessage(message: string): DrainResult {
    const tokens = this.tokenize(message);
    const found = this.treeSearch(tokens, this.simTh, false);
    if (!found) {
      this.counter += 1;
      const cluster: DrainCluster = { id: this.counter, templateTokens: tokens, size: 1 };
      this.idToCluster.set(cluster.id, cluster);
      this.evictIfNeeded();
      this.addToPrefixTree(cluster);
      return { cluster, change: 'cluster_created' };
    }
    const next = this.createTemplate(tokens, found.templateTokens);
    const changed = next.some((t, i) => t !== found.templateTokens[i]);
    if (changed) found.templateTokens = next;
    found.size += 1;
    this.touch(found);
    return { cluster: found, change: changed ? 'cluster_template_changed' : 'none' };
  }

  /** Matching only (no learning); parameter positions count as matches, as in Drain3's match(). */
  match(message: string, simTh = 1.0): DrainCluster | undefined {
    return this.treeSearch(this.tokenize(message), simTh, true);
  }

  private touch(c: DrainCluster): void {
    this.idToCluster.delete(c.id);
    this.idToCluster.set(c.id, c);
  }

  private evictIfNeeded(): void {
    if (this.maxClusters === undefined) return;
    while (this.idToCluster.size > this.maxClusters) {
      const oldest = this.idToCluster.keys().next().value as number;
      this.idToCluster.delete(oldest);
    }
  }

  private treeSearch(tokens: string[], simTh: number, includeParams: boolean): DrainCluster | undefined {
    const count = tokens.length;
    let node = this.root.children.get(String(count));
    if (!node) return undefined;
    if (count === 0) return this.idToCluster.get(node.clusterIds[0]);
    let depth = 1;
    for (const token of tokens) {
      if (depth >= this.maxNodeDepth || depth === count) break;
      const next: TreeNode | undefined = node.children.get(token) ?? node.children.get(this.paramStr);
      if (!next) return undefined;
      node = next;
      depth += 1;
    }
    return this.fastMatch(node.clusterIds, tokens, simTh, includeParams);
  }

  private fastMatch(ids: number[], tokens: string[], simTh: number, includeParams: boolean): DrainCluster | undefined {
    let best: DrainCluster | undefined;
    let bestSim = -1;
    let bestParams = -1;
    for (const id of ids) {
      const c = this.idToCluster.get(id);
      if (!c) continue;
      const [sim, params] = this.similarity(c.templateTokens, tokens, includeParams);
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        bestSim = sim;
        bestParams = params;
        best = c;
      }
    }
    return bestSim >= simTh ? best : undefined;
  }

  private similarity(template: string[], tokens: string[], includeParams: boolean): [number, number] {
    if (template.length === 0) return [1, 0];
    let same = 0;
    let params = 0;
    for (let i = 0; i < template.length; i += 1) {
      if (template[i] === this.paramStr) { params += 1; continue; }
      if (template[i] === tokens[i]) same += 1;
    }
    if (includeParams) same += params;
    return [same / template.length, params];
  }

  private createTemplate(tokens: string[], template: string[]): string[] {
    return template.map((t, i) => (t === tokens[i] ? t : this.paramStr));
  }

  private addToPrefixTree(cluster: DrainCluster): void {
    const count = cluster.templateTokens.length;
    const key = String(count);
    let node = this.root.children.get(key);
    if (!node) { node = newNode(); this.root.children.set(key, node); }
    if (count === 0) { node.clusterIds = [cluster.id]; return; }
    let depth = 1;
    for (const token of cluster.templateTokens) {
      if (depth >= this.maxNodeDepth || depth >= count) {
        // Drop ids of evicted clusters before adding the new one.
        node.clusterIds = [...node.clusterIds.filter((id) => this.idToCluster.has(id)), cluster.id];
        break;
      }
      node = this.childFor(node, token);
      depth += 1;
    }
  }

  /** Chooses or creates the child for a token, routing numeric tokens and overflow to the wildcard. */
  private childFor(node: TreeNode, token: string): TreeNode {
    const existing = node.children.get(token);
    if (existing) return existing;
    const p = this.paramStr;
    const make = (k: string): TreeNode => { const n = newNode(); node.children.set(k, n); return n; };
    if (this.parametrizeNumeric && hasDigit.test(token)) return node.children.get(p) ?? make(p);
    const size = node.children.size;
    if (node.children.has(p)) return size < this.maxChildren ? make(token) : (node.children.get(p) as TreeNode);
    if (size + 1 < this.maxChildren) return make(token);
    if (size + 1 === this.maxChildren) return make(p);
    return node.children.get(p) as TreeNode;
  }
}
