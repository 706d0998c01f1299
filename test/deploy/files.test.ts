/**
 * The deployment files hold together: nginx accepts deploy/nginx/nginx.conf, the compose file
 * wires PostgreSQL, the replicas and nginx with health checks and a named volume, and the
 * Kubernetes manifests select each other and probe endpoints the server really answers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../helpers.ts';
import { get, withServer } from '../server/helpers.ts';
import { clusterUnavailableReason, findNginx, NGINX_CONF } from '../../tools/local-cluster.ts';

const DEPLOY = path.join(REPO_ROOT, 'deploy');
const nginxMissing = findNginx() === null ? (clusterUnavailableReason() ?? 'nginx is not installed') : false;

describe('deployment files', () => {
  it('nginx accepts deploy/nginx/nginx.conf with a deployment’s address files (nginx -t)', { skip: nginxMissing }, () => {
    const prefix = mkdtempSync(path.join(tmpdir(), 'dataselectenv-nginx-'));
    try {
      copyFileSync(NGINX_CONF, path.join(prefix, 'nginx.conf'));
      writeFileSync(path.join(prefix, 'upstream.conf'), 'server 127.0.0.1:1;\nserver 127.0.0.1:2;\n');
      writeFileSync(path.join(prefix, 'listen.conf'), 'listen 127.0.0.1:3;\n');
      const r = spawnSync(findNginx()!, ['-t', '-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /syntax is ok/);
      // The compose variant differs only in its address files, which sit beside it.
      for (const f of ['upstream.conf', 'listen.conf']) assert.ok(existsSync(path.join(DEPLOY, 'nginx', 'compose', f)), f);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });

  it('docker-compose.yml: PostgreSQL with a named volume and a health check, replicas on its STORE_URL, nginx with the same config in front', () => {
    const compose = parse(readFileSync(path.join(DEPLOY, 'docker-compose.yml'), 'utf8'));
    const { postgres, replica, nginx } = compose.services;
    assert.ok(postgres && replica && nginx, 'three services');
    assert.ok(postgres.healthcheck?.test, 'postgres health check');
    const [volumeName] = postgres.volumes[0].split(':');
    assert.ok(volumeName in compose.volumes, 'the data sits in a named volume');
    assert.match(replica.environment.STORE_URL, /^postgres:\/\/dse:.*@postgres:5432\/dataselectenv$/);
    assert.equal(replica.depends_on.postgres.condition, 'service_healthy');
    assert.match(String(replica.deploy.replicas), /REPLICAS/);
    assert.equal(replica.build.context, '..');
    assert.ok(existsSync(path.join(DEPLOY, replica.build.context, replica.build.dockerfile)), 'the Dockerfile it builds exists');
    assert.equal(nginx.depends_on.replica.condition, 'service_healthy');
    assert.ok(nginx.healthcheck?.test, 'nginx health check');
    const mounts = nginx.volumes.map((v: string) => v.split(':'));
    for (const [source, target] of mounts) assert.ok(existsSync(path.join(DEPLOY, source)), `${source} (mounted at ${target}) exists`);
    assert.ok(mounts.some(([s, t]: string[]) => s === './nginx/nginx.conf' && t === '/etc/nginx/nginx.conf'), 'the one nginx.conf is mounted');
    const exposed = /^EXPOSE\s+(\d+)/m.exec(readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'))![1];
    assert.match(readFileSync(path.join(DEPLOY, 'nginx', 'compose', 'upstream.conf'), 'utf8'), new RegExp(`server replica:${exposed} `), 'nginx reaches the replicas on the image port');
  });

  it('kubernetes/: Deployment, Service, HPA, PDB and Secret select each other; the probes hit endpoints the server answers', async () => {
    const dir = path.join(DEPLOY, 'kubernetes');
    const kustomization = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    assert.deepEqual([...kustomization.resources].sort(), files, 'kustomization lists every manifest');
    const docs = files.flatMap((f) => parseAllDocuments(readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()));
    const byKind = new Map(docs.map((d) => [d.kind, d]));
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret']) assert.ok(byKind.has(kind), kind);
    const deployment = byKind.get('Deployment');
    const labels = deployment.spec.template.metadata.labels;
    const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    assert.ok(selects(deployment.spec.selector.matchLabels));
    assert.ok(selects(byKind.get('Service').spec.selector));
    assert.ok(selects(byKind.get('PodDisruptionBudget').spec.selector.matchLabels));
    const hpa = byKind.get('HorizontalPodAutoscaler');
    assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
    assert.ok(byKind.get('PodDisruptionBudget').spec.minAvailable < hpa.spec.minReplicas, 'a node drain can proceed');
    const container = deployment.spec.template.spec.containers[0];
    const storeUrl = container.env.find((e: { name: string }) => e.name === 'STORE_URL');
    const secret = byKind.get('Secret');
    assert.equal(storeUrl.valueFrom.secretKeyRef.name, secret.metadata.name);
    assert.ok(storeUrl.valueFrom.secretKeyRef.key in secret.stringData);
    const exposed = Number(/^EXPOSE\s+(\d+)/m.exec(readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'))![1]);
    assert.equal(container.ports[0].containerPort, exposed, 'the port the image serves on');

    await withServer({}, async (server) => {
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const p = container[probe].httpGet;
        assert.equal(p.port, container.ports[0].name, `${probe} uses the named port`);
        const r = await get(server.url, p.path);
        assert.equal(r.status, 200, `${probe} ${p.path}`);
      }
    });
  });
});
