// Explicit, sorted registry of modules: the name a task uses → its definition.
import { assertModule } from './assert.js';
import { commandModule } from './command.js';
import { copyModule } from './copy.js';
import { debugModule } from './debug.js';
import type { ModuleDefinition } from './define.js';
import { etcdBugGuardModule } from './etcd_bug_guard.js';
import { etcdHealthModule } from './etcd_health.js';
import { etcdKeysModule } from './etcd_keys.js';
import { etcdLockModule } from './etcd_lock.js';
import { etcdManifestModule } from './etcd_manifest.js';
import { etcdMemberModule } from './etcd_member.js';
import { etcdMemberCheckModule } from './etcd_member_check.js';
import { etcdQuorumGuardModule } from './etcd_quorum_guard.js';
import { etcdServiceModule } from './etcd_service.js';
import { etcdSnapshotModule } from './etcd_snapshot.js';
import { etcdVersionGuardModule } from './etcd_version_guard.js';
import { failModule } from './fail.js';
import { fetchModule } from './fetch.js';
import { fileModule } from './file.js';
import { metaModule } from './meta.js';
import { pauseModule } from './pause.js';
import { setFactModule } from './set_fact.js';
import { shellModule } from './shell.js';
import { slurpModule } from './slurp.js';
import { statModule } from './stat.js';
import { templateModule } from './template.js';
import { waitForModule } from './wait_for.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModule = ModuleDefinition<any>;

const ALL: AnyModule[] = [
  // one import each, sorted by name
  assertModule,
  commandModule,
  copyModule,
  debugModule,
  etcdBugGuardModule,
  etcdHealthModule,
  etcdKeysModule,
  etcdLockModule,
  etcdManifestModule,
  etcdMemberModule,
  etcdMemberCheckModule,
  etcdQuorumGuardModule,
  etcdServiceModule,
  etcdSnapshotModule,
  etcdVersionGuardModule,
  failModule,
  fetchModule,
  fileModule,
  metaModule,
  pauseModule,
  setFactModule,
  shellModule,
  slurpModule,
  statModule,
  templateModule,
  waitForModule,
];

export const MODULES: ReadonlyMap<string, AnyModule> = new Map(ALL.map((m) => [m.name, m]));
