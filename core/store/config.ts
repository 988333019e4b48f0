// How a part finds the orchestration store: the `store` section of the daemon config and of every
// agent bundle. It lives with the store, not in config/, so core depends on nothing above it; the
// config schemas embed it. Descriptions double as the "fix" in config errors and as the generated
// JSON Schema's documentation.
import { z } from 'zod';

const pollIntervalMs = z.number().int().min(50).max(600_000).default(1000).describe('how often readers poll the store, in milliseconds (50-600000)');

export const DirStoreConfigSchema = z
  .object({
    type: z.literal('dir').describe('store backend: "dir" (a local directory or an NFS mount)'),
    path: z.string().min(1).describe('the store directory, shared by the daemon and every agent'),
    pollIntervalMs,
  })
  .strict();

/** Credentials are never in the file: they come from the standard AWS chain (env, profile, instance role). */
export const S3StoreConfigSchema = z
  .object({
    type: z.literal('s3').describe('store backend: "s3" (AWS S3 or any S3-compatible service)'),
    bucket: z.string().min(3).max(63).describe('the bucket name, shared by the daemon and every agent'),
    prefix: z.string().regex(/^([A-Za-z0-9][A-Za-z0-9._-]*\/)*$/).default('').describe('key prefix inside the bucket, empty or ending in "/", e.g. "flotilla/"'),
    region: z.string().min(1).default('us-east-1').describe('the bucket region, e.g. eu-west-1'),
    endpoint: z.url().optional().describe('URL of an S3-compatible service (MinIO, Ceph); omit for AWS'),
    forcePathStyle: z.boolean().default(false).describe('true to address the bucket in the path (most S3-compatible services), false for virtual-host style'),
    pollIntervalMs,
  })
  .strict();

export const StoreConfigSchema = z.discriminatedUnion('type', [DirStoreConfigSchema, S3StoreConfigSchema]).describe('the orchestration store: {type: dir, path} or {type: s3, bucket, …}');
export type StoreConfig = z.infer<typeof StoreConfigSchema>;
export type S3StoreConfig = z.infer<typeof S3StoreConfigSchema>;
