import assert from 'node:assert/strict';
import { Drain, templateOf } from '../../../daemon/analysis/drain';

const SSH = `
Dec 10 07:07:38 LabSZ sshd[24206]: input_userauth_request: invalid user test9 [preauth]
Dec 10 07:08:28 LabSZ sshd[24208]: input_userauth_request: invalid user webmaster [preauth]
Dec 10 09:12:32 LabSZ sshd[24490]: Failed password for invalid user ftpuser from 0.0.0.0 port 62891 ssh2
Dec 10 09:12:35 LabSZ sshd[24492]: Failed password for invalid user pi from 0.0.0.0 port 49289 ssh2
Dec 10 09:12:44 LabSZ sshd[24501]: Failed password for invalid user ftpuser from 0.0.0.0 port 60836 ssh2
Dec 10 07:28:03 LabSZ sshd[24245]: input_userauth_request: invalid user pgadmin [preauth]
`.split('\n');

describe('analysis/drain (Drain3 golden cases)', () => {
  it('learns the ssh templates with default parameters', () => {
    const d = new Drain();
    const got = SSH.map((l) => templateOf(d.addLogMessage(l).cluster));
    const auth = 'Dec 10 <*> LabSZ <*> input_userauth_request: invalid user <*> [preauth]';
    const failed = 'Dec 10 <*> LabSZ <*> Failed password for invalid user <*> from 0.0.0.0 port <*> ssh2';
    assert.deepEqual(got.slice(1, 7), [SSH[1], auth, SSH[3], failed, failed, auth]);
    assert.equal(got[0], '');
    assert.equal(d.totalClusterSize(), 8);
    assert.equal(d.clusters.length, 3);
  });

  it('with sim_th 0.75 only the Failed password lines merge', () => {
    const d = new Drain({ simTh: 0.75 });
    const got = SSH.slice(1, 7).map((l) => templateOf(d.addLogMessage(l).cluster));
    const failed = 'Dec 10 <*> LabSZ <*> Failed password for invalid user <*> from 0.0.0.0 port <*> ssh2';
    assert.deepEqual(got, [SSH[1], SSH[2], SSH[3], failed, failed, SSH[6]]);
  });

  it('max_clusters = 1 evicts so the A template is relearned', () => {
    const d = new Drain({ maxClusters: 1 });
    const got = ['A format 1', 'A format 2', 'B format 1', 'B format 2', 'A format 3']
      .map((l) => templateOf(d.addLogMessage(l).cluster));
    assert.deepEqual(got, ['A format 1', 'A format <*>', 'B format 1', 'B format <*>', 'A format 3']);
    assert.equal(d.clusters.length, 1);
  });

  it('hello, hello, otherword → created, none, created (2 clusters)', () => {
    const d = new Drain({ depth: 4 });
    assert.deepEqual(['hello', 'hello', 'otherword'].map((l) => d.addLogMessage(l).change),
      ['cluster_created', 'none', 'cluster_created']);
    assert.equal(d.clusters.length, 2);
  });

  it('match() finds without learning, and the mask hook runs first', () => {
    const d = new Drain({ mask: (s) => s.replace(/\d+/g, '<NUM>') });
    d.addLogMessage('timeout after 30 s');
    d.addLogMessage('timeout after 45 s');
    assert.equal(d.clusters.length, 1);
    assert.equal(templateOf(d.clusters[0]), 'timeout after <NUM> s');
    assert.equal(d.match('timeout after 99 s')?.id, d.clusters[0].id);
    assert.equal(d.match('something else entirely'), undefined);
    assert.throws(() => new Drain({ depth: 2 }));
  });
});
