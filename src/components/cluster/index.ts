// Bringing clusters up and down on this host: state directory, PKI, kubeconfig, underlay, supervision.
export { bringUp, chooseApiServerPort, ClusterExistsError, UpFailedError, type UpOptions, type UpResult } from './up.js';
export { tearDown, type DownResult } from './down.js';
export { clusterStatus, type ClusterStatus, type NodeStatus, type ProcessStatus } from './status.js';
export { silentProgress, type Progress } from './progress.js';
export { Inventory, type KubeconfigMergeRecord } from './inventory.js';
export { stateRoot, stateDirOf, clusterConfigPath, clusterExists, listClusters, readClusterConfig } from './state.js';
export { kubeconfigEntryName, userKubeconfigPath, mergeKubeconfig, unmergeKubeconfig, writeClusterKubeconfig } from './kubeconfig.js';
export { generatePki, serverSubjectAltNames } from './pki.js';
export { logFileOf, agentProcessName } from './supervisor.js';
