import { z } from 'zod';
import { DEFAULT_SESSION_TTL_SECONDS, MAX_SESSION_TTL_SECONDS } from '../session.js';
import { defineOptions, urlOption } from './option.js';

/** JWT algorithms we accept at all; `none` and anything symmetric-but-unnamed are never among them. */
export const JWT_ALGORITHMS: readonly string[] = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'PS256',
  'ES256',
  'EdDSA',
];

/** One `project=vms/vcpus/memory_mib` entry of `quotaProjects`. */
export const QUOTA_ENTRY = /^([a-z0-9][a-z0-9_-]{0,62})=(\d+)\/(\d+)\/(\d+)$/;

/** Who may call the API, and how much a project may hold (section `auth`). */
export const AUTH_OPTIONS = defineOptions({
  auth: {
    env: 'AETHER_AUTH',
    file: 'auth.mode',
    default: 'on',
    doc: '`on`: every route but health, docs and the spec needs an API key or JWT; `off` only on a loopback address',
    schema: z.enum(['on', 'off']),
  },
  credentialsFile: {
    env: 'AETHER_CREDENTIALS_FILE',
    file: 'auth.credentials_file',
    default: '',
    doc: 'Where `aether up` saves the local admin key for the CLI; empty = ~/.config/aetherium/credentials.json',
    schema: z.string(),
  },
  jwtSecret: {
    env: 'AETHER_JWT_SECRET',
    file: 'auth.jwt_secret',
    default: '',
    doc: 'HS256 secret (at least 32 bytes) that signs accepted JWTs',
    schema: z.string().refine((v) => v === '' || Buffer.byteLength(v) >= 32, 'must be at least 32 bytes'),
    secret: true,
  },
  jwtPublicKey: {
    env: 'AETHER_JWT_PUBLIC_KEY',
    file: 'auth.jwt_public_key',
    default: '',
    doc: 'PEM public key (RSA, EC or Ed25519) that signs accepted JWTs',
    schema: z
      .string()
      .refine((v) => v === '' || v.includes('-----BEGIN PUBLIC KEY-----'), 'must be a PEM public key'),
  },
  jwtJwksUrl: {
    env: 'AETHER_JWT_JWKS_URL',
    file: 'auth.jwt_jwks_url',
    default: '',
    doc: 'JWKS URL whose keys sign accepted JWTs',
    schema: urlOption(/^https?:\/\//, 'http(s)://'),
  },
  jwtIssuer: {
    env: 'AETHER_JWT_ISSUER',
    file: 'auth.jwt_issuer',
    default: '',
    doc: 'Required `iss` of JWTs',
    schema: z.string(),
  },
  jwtAudience: {
    env: 'AETHER_JWT_AUDIENCE',
    file: 'auth.jwt_audience',
    default: 'aetherium',
    doc: 'Required `aud` of JWTs',
    schema: z.string(),
  },
  jwtAlgorithms: {
    env: 'AETHER_JWT_ALGORITHMS',
    file: 'auth.jwt_algorithms',
    default: '',
    doc: 'Accepted `alg`s, comma-separated; empty = HS256 with a secret, else RS256, ES256 and EdDSA',
    schema: z
      .string()
      .refine(
        (v) => v.split(',').every((a) => a.trim() === '' || JWT_ALGORITHMS.includes(a.trim())),
        `use some of ${JWT_ALGORITHMS.join(', ')}`,
      ),
  },
  jwtProjectClaim: {
    env: 'AETHER_JWT_PROJECT_CLAIM',
    file: 'auth.jwt_project_claim',
    default: 'project',
    doc: "JWT claim naming the caller's project",
    schema: z.string().min(1),
  },
  jwtAdminScope: {
    env: 'AETHER_JWT_ADMIN_SCOPE',
    file: 'auth.jwt_admin_scope',
    default: 'aether:admin',
    doc: 'A JWT whose `scope` holds this is an admin',
    schema: z.string().min(1),
  },
  sessionTtlSeconds: {
    env: 'AETHER_SESSION_TTL_SECONDS',
    file: 'auth.session_ttl_seconds',
    default: DEFAULT_SESSION_TTL_SECONDS,
    doc: "How long a dashboard sign-in lasts, in seconds (one made with a JWT ends with the JWT's `exp` if that comes first)",
    schema: z.coerce.number().int().min(1).max(MAX_SESSION_TTL_SECONDS),
  },
  quotaVms: {
    env: 'AETHER_QUOTA_VMS',
    file: 'auth.quota_vms',
    default: 100,
    doc: 'Live VMs per project',
    schema: z.coerce.number().int().min(0),
  },
  quotaVcpus: {
    env: 'AETHER_QUOTA_VCPUS',
    file: 'auth.quota_vcpus',
    default: 256,
    doc: 'vCPUs per project',
    schema: z.coerce.number().int().min(0),
  },
  quotaMemoryMiB: {
    env: 'AETHER_QUOTA_MEMORY_MIB',
    file: 'auth.quota_memory_mib',
    default: 262_144,
    doc: 'Memory of live VMs per project, MiB',
    schema: z.coerce.number().int().min(0),
  },
  quotaProjects: {
    env: 'AETHER_QUOTA_PROJECTS',
    file: 'auth.quota_projects',
    default: '',
    doc: 'Per-project quotas, `project=vms/vcpus/memory_mib` comma-separated (e.g. `ci=20/40/40960`)',
    schema: z
      .string()
      .refine(
        (v) => v.trim() === '' || v.split(',').every((e) => QUOTA_ENTRY.test(e.trim())),
        'use project=vms/vcpus/memory_mib, comma-separated',
      ),
  },
});
