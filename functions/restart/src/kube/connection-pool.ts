// One keep-alive connection pool for the life of the process, at the one seam client-node 1.4 offers
// for it: the generated clients send every request through `configuration.httpApi`, AFTER
// KubeConfig.applySecurityAuthentication has set the headers (bearer token, read from the in-cluster
// token file as it rotates, or from an exec plugin) and a brand-new http(s).Agent holding the TLS
// options (CA, client certificate, skip-verify, server name). A new agent per request is a new TCP
// connection and TLS handshake per request. So the wrapper below keeps authentication exactly as
// client-node did it and swaps only the agent: for one keep-alive agent built with the SAME options,
// one per distinct TLS identity (an exec plugin that rotates client certificates gets a new agent,
// the old one is closed once it is idle).
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import {
  ServerConfiguration,
  createConfiguration,
  type Configuration,
  type HttpLibrary,
  type KubeConfig,
  type RequestContext,
} from '@kubernetes/client-node';
import { createNodeHttpLibrary } from './node-http-transport';

/** TLS options that make two agents' connections interchangeable (Node's own agent key, plus identity). */
const IDENTITY_OPTIONS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
  'ciphers',
  'crl',
  'secureProtocol',
] as const;

/** old identities kept open at most (rotation overlaps a little; more is a leak) */
const MAX_IDENTITIES = 4;

export interface ConnectionPoolStats {
  /** agents made for distinct TLS identities (1 for a fixed token or certificate) */
  agents: number;
  /** requests whose per-call agent was replaced by a pooled one */
  pooled: number;
  /** requests left on client-node's own agent (a proxy agent: see agentFor) */
  passedThrough: number;
}

export class ConnectionPool {
  private readonly agents = new Map<string, http.Agent>();
  private readonly counts = { agents: 0, pooled: 0, passedThrough: 0 };

  /** The pooled agent for the connection options of client-node's per-call agent. */
  agentFor(fresh: http.Agent | undefined): http.Agent | undefined {
    // Proxy agents (socks, http(s) proxy) are subclasses that open tunnels their own way: leave them.
    const plain = fresh?.constructor === https.Agent || fresh?.constructor === http.Agent;
    if (!fresh || !plain) {
      this.counts.passedThrough++;
      return fresh;
    }
    const secure = fresh instanceof https.Agent;
    const options = (fresh as unknown as { options: Record<string, unknown> }).options;
    const key = secure ? identityKey(options) : 'http';
    let agent = this.agents.get(key);
    if (!agent) {
      const keepAlive = { ...pick(options), keepAlive: true };
      agent = secure ? new https.Agent(keepAlive) : new http.Agent(keepAlive);
      this.agents.set(key, agent);
      this.counts.agents++;
      this.retireOldest();
    }
    this.counts.pooled++;
    return agent;
  }

  stats(): ConnectionPoolStats {
    return { ...this.counts };
  }

  /** Closes every pooled connection (tests; a process that exits needs nothing: idle sockets are unref'd). */
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private retireOldest(): void {
    while (this.agents.size > MAX_IDENTITIES) {
      const [oldestKey, oldest] = this.agents.entries().next().value as [string, http.Agent];
      this.agents.delete(oldestKey);
      // in-flight requests finish on their sockets; idle ones close now, busy ones when released
      oldest.destroy();
    }
  }
}

/** client-node's httpApi with every request sent through the pool's agent. */
export function withConnectionPool(inner: HttpLibrary, pool: ConnectionPool): HttpLibrary {
  return {
    send(request: RequestContext) {
      const agent = pool.agentFor(request.getAgent());
      if (agent) request.setAgent(agent);
      return inner.send(request);
    },
  };
}

/**
 * What KubeConfig.makeApiClient builds (`new XxxApi(configuration)`), with the request layer pooled and
 * sent by plain node:http(s) (node-http-transport.ts; client-node's own library only for bodies it cannot send).
 */
export function createPooledConfiguration(kubeConfig: KubeConfig, pool: ConnectionPool): Configuration {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const base = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
  });
  return { ...base, httpApi: createNodeHttpLibrary(pool, withConnectionPool(base.httpApi, pool)) };
}

function pick(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of IDENTITY_OPTIONS) if (options[name] !== undefined) out[name] = options[name];
  if (options.timeout !== undefined) out.timeout = options.timeout;
  return out;
}

function identityKey(options: Record<string, unknown>): string {
  const hash = createHash('sha256');
  for (const name of IDENTITY_OPTIONS) {
    const value = options[name];
    hash.update(`${name}=`);
    if (value === undefined) hash.update('-');
    else if (Buffer.isBuffer(value)) hash.update(value);
    else if (Array.isArray(value)) for (const v of value as unknown[]) hash.update(Buffer.isBuffer(v) ? v : String(v));
    else hash.update(JSON.stringify(value));
    hash.update('\n');
  }
  return hash.digest('hex');
}
