// Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), decoded into the JSON
// objects the API server works with. client-go's typed clients, and so kubectl's `create` generators,
// send protobuf for built-in kinds and do not fall back to JSON.
export {
  decodeKubernetesProtobuf, hasProtobufMagic, ProtobufDecodeError, PROTOBUF_CONTENT_TYPE,
} from './decode.js';
