// Service environment variables for containers (kubelet's service links), pure.
export {
  serviceEnvironment, envVarsFromServices, visibleServices, envVariableName, isServiceIPSet,
  MASTER_NAMESPACE, MASTER_SERVICES, type EnvService, type EnvPod, type EnvVar,
} from './service-env.js';
