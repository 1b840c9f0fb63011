// Pod volumes (pkg/apis/core/validation ValidateVolumes): unique DNS-label names, exactly one source per
// volume, and the required fields of the sources podnet's workloads use (emptyDir, hostPath, configMap,
// secret, downwardAPI, projected, persistentVolumeClaim, nfs). Other sources are counted, not inspected.
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from '../errors.js';
import type { JsonObject } from '../object.js';
import { isDNS1123Label } from './formats.js';
import { arr, isObj, obj, str } from './go-values.js';
import { type VolumeMap, validateLocalDescendingPath, validateObjectFieldSelector } from './containers.js';
import { parseQuantity } from './resources.js';

/** Sources in upstream's checking order, with the path name its "more than 1" error uses (Go quirks kept). */
const SOURCES: Array<[string, string]> = [
  ['emptyDir', 'emptyDir'], ['hostPath', 'hostPath'], ['gitRepo', 'gitRepo'], ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'], ['secret', 'secret'], ['nfs', 'nfs'], ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'], ['flocker', 'flocker'], ['persistentVolumeClaim', 'persistentVolumeClaim'], ['rbd', 'rbd'],
  ['cinder', 'cinder'], ['cephfs', 'cephFS'], ['quobyte', 'quobyte'], ['downwardAPI', 'downwarAPI'], ['fc', 'fc'],
  ['flexVolume', 'flexVolume'], ['configMap', 'configMap'], ['azureFile', 'azureFile'], ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'], ['portworxVolume', 'portworxVolume'], ['azureDisk', 'azureDisk'],
  ['storageos', 'storageos'], ['projected', 'projected'], ['scaleIO', 'scaleIO'], ['csi', 'csi'], ['ephemeral', 'ephemeral'],
  ['image', 'image'],
];

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function validateMode(mode: unknown, field: string): FieldError[] {
  return typeof mode === 'number' && (mode > 0o777 || mode < 0) ? [invalid(field, mode, FILE_MODE_ERROR)] : [];
}

function validateLocalNonReservedPath(p: string, field: string): FieldError[] {
  const errs = validateLocalDescendingPath(p, field);
  if (p.startsWith('..')) errs.push(invalid(field, p, "must not start with '..'"));
  return errs;
}

function validateKeyToPaths(items: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(items).forEach((it, i) => {
    const kp = obj(it);
    const p = `${field}[${i}]`;
    if (!str(kp.key)) errs.push(required(`${p}.key`));
    if (!str(kp.path)) errs.push(required(`${p}.path`));
    errs.push(...validateLocalNonReservedPath(str(kp.path), `${p}.path`), ...validateMode(kp.mode, `${p}.mode`));
  });
  return errs;
}

function validateDownwardAPIFiles(items: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const it of arr(items)) {
    const f = obj(it);
    if (!str(f.path)) errs.push(required(`${field}.path`));
    errs.push(...validateLocalNonReservedPath(str(f.path), `${field}.path`));
    if (isObj(f.fieldRef)) {
      errs.push(...validateObjectFieldSelector(f.fieldRef, VOLUME_FIELD_PATHS, `${field}.fieldRef`));
      if (isObj(f.resourceFieldRef)) errs.push(invalid(field, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    } else if (!isObj(f.resourceFieldRef)) {
      errs.push(required(field, 'one of fieldRef and resourceFieldRef is required'));
    }
    errs.push(...validateMode(f.mode, `${field}.mode`));
  }
  return errs;
}

function validateSource(kind: string, s: JsonObject, p: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (kind) {
    case 'emptyDir': {
      const size = parseQuantity(s.sizeLimit);
      if (size !== undefined && size < 0) errs.push(forbidden(`${p}.sizeLimit`, 'SizeLimit field must be a valid resource quantity'));
      break;
    }
    case 'hostPath': {
      const path = str(s.path);
      if (!path) return [required(`${p}.path`)];
      if (path.split('/').includes('..')) errs.push(invalid(`${p}.path`, path, "must not contain '..'"));
      if (s.type !== undefined && s.type !== null && !HOST_PATH_TYPES.includes(str(s.type))) {
        errs.push(notSupported(`${p}.type`, str(s.type), HOST_PATH_TYPES));
      }
      break;
    }
    case 'secret':
      if (!str(s.secretName)) errs.push(required(`${p}.secretName`));
      errs.push(...validateMode(s.defaultMode, `${p}.defaultMode`), ...validateKeyToPaths(s.items, `${p}.items`));
      break;
    case 'configMap':
      if (!str(s.name)) errs.push(required(`${p}.name`));
      errs.push(...validateMode(s.defaultMode, `${p}.defaultMode`), ...validateKeyToPaths(s.items, `${p}.items`));
      break;
    case 'persistentVolumeClaim':
      if (!str(s.claimName)) errs.push(required(`${p}.claimName`));
      break;
    case 'nfs':
      if (!str(s.server)) errs.push(required(`${p}.server`));
      if (!str(s.path)) errs.push(required(`${p}.path`));
      if (!str(s.path).startsWith('/')) errs.push(invalid(`${p}.path`, str(s.path), 'must be an absolute path'));
      break;
    case 'downwardAPI':
      errs.push(...validateMode(s.defaultMode, `${p}.defaultMode`), ...validateDownwardAPIFiles(s.items, p));
      break;
    case 'projected':
      errs.push(...validateMode(s.defaultMode, `${p}.defaultMode`));
      arr(s.sources).forEach((src, i) => {
        const sp = `${p}.sources[${i}]`;
        const source = obj(src);
        let n = 0;
        for (const k of ['secret', 'configMap']) {
          if (!isObj(source[k])) continue;
          n++;
          if (!str(source[k].name)) errs.push(required(`${sp}.${k}.name`));
          errs.push(...validateKeyToPaths(source[k].items, `${sp}.${k}.items`));
        }
        if (isObj(source.downwardAPI)) { n++; errs.push(...validateDownwardAPIFiles(source.downwardAPI.items, `${sp}.downwardAPI`)); }
        if (isObj(source.serviceAccountToken)) {
          n++;
          const t = source.serviceAccountToken;
          const exp = typeof t.expirationSeconds === 'number' ? t.expirationSeconds : 3600;
          if (exp < 600) errs.push(invalid(`${sp}.serviceAccountToken.expirationSeconds`, exp, 'may not specify a duration less than 10 minutes'));
          if (exp > 2 ** 32) errs.push(invalid(`${sp}.serviceAccountToken.expirationSeconds`, exp, 'may not specify a duration larger than 2^32 seconds'));
          if (!str(t.path)) errs.push(required(`${sp}.serviceAccountToken.path`));
        }
        if (isObj(source.clusterTrustBundle)) n++;
        if (n > 1) errs.push(forbidden(sp, 'may not specify more than 1 volume type per source'));
      });
      break;
  }
  return errs;
}

/** Validates spec.volumes and returns the valid ones by name, for the containers' volumeMounts. */
export function validateVolumes(volumes: unknown, field: string): { errs: FieldError[]; byName: VolumeMap } {
  const errs: FieldError[] = [];
  const byName: VolumeMap = new Map();
  arr(volumes).forEach((v, i) => {
    const vol = obj(v);
    const p = `${field}[${i}]`;
    const el: FieldError[] = [];
    let n = 0;
    for (const [key, goName] of SOURCES) {
      if (!isObj(vol[key])) continue;
      if (n > 0) { el.push(forbidden(`${p}.${goName}`, 'may not specify more than 1 volume type')); continue; }
      n++;
      el.push(...validateSource(key, vol[key], `${p}.${key}`));
    }
    if (n === 0) el.push(required(p, 'must specify a volume type'));
    const name = str(vol.name);
    if (!name) el.push(required(`${p}.name`));
    else el.push(...isDNS1123Label(name).map((m) => invalid(`${p}.name`, name, m)));
    if (byName.has(name)) el.push(duplicate(`${p}.name`, name));
    if (el.length === 0) byName.set(name, vol);
    else errs.push(...el);
  });
  return { errs, byName };
}
