#!/usr/bin/python3
"""Drives a cluster with the official Kubernetes Python client (Debian's python3-kubernetes), the way its
users do: list, watch, create/patch/delete, exec, logs and port-forward. Each step prints one JSON line
{"step": ..., "result": ...} or {"step": ..., "error": ...}; the calling test asserts on them.

usage: client_suite.py KUBECONFIG NAMESPACE POD PORT STEP...
"""
import json
import sys
import threading
import traceback

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import portforward, stream

kubeconfig, ns, pod, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
config.load_kube_config(config_file=kubeconfig)
v1 = client.CoreV1Api()


def step_list():
    names = [n.metadata.name for n in v1.list_namespace().items]
    pods = [p.metadata.name for p in v1.list_namespaced_pod(ns).items]
    selected = v1.list_namespaced_pod(ns, field_selector="metadata.name=" + pod).items
    return {"namespaces": names, "pods": pods, "selected": [p.metadata.name for p in selected]}


def step_watch():
    """Watches Services while another thread creates, patches and deletes one."""
    name = "py-watch"
    w = watch.Watch()
    seen = []
    start = v1.list_namespaced_service(ns).metadata.resource_version

    def change():
        v1.create_namespaced_service(ns, {
            "metadata": {"name": name},
            "spec": {"ports": [{"port": 80, "targetPort": 8080}], "selector": {"app": "py"}}})
        v1.patch_namespaced_service(name, ns, {"metadata": {"labels": {"patched": "yes"}}})
        v1.delete_namespaced_service(name, ns)

    t = threading.Thread(target=change)
    t.start()
    for event in w.stream(v1.list_namespaced_service, namespace=ns, resource_version=start, timeout_seconds=60):
        obj = event["object"]
        if obj.metadata.name != name:
            continue
        seen.append([event["type"], (obj.metadata.labels or {}).get("patched")])
        if event["type"] == "DELETED":
            w.stop()
    t.join()
    return seen


def step_crud():
    name = "py-crud"
    created = v1.create_namespaced_config_map(ns, {"metadata": {"name": name}, "data": {"a": "1"}})
    patched = v1.patch_namespaced_config_map(name, ns, {"data": {"b": "2"}})
    merged = v1.patch_namespaced_config_map(name, ns, [{"op": "replace", "path": "/data/a", "value": "3"}])
    v1.delete_namespaced_config_map(name, ns)
    try:
        v1.read_namespaced_config_map(name, ns)
        gone = None
    except ApiException as e:
        gone = e.status
    try:
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "Bad_Name"}})
        invalid = None
    except ApiException as e:
        invalid = [e.status, json.loads(e.body)["reason"]]
    return {"created": created.data, "patched": patched.data, "jsonpatch": merged.data, "gone": gone, "invalid": invalid}


def step_exec():
    out = stream(v1.connect_get_namespaced_pod_exec, pod, ns, command=["hostname"],
                 stderr=True, stdin=False, stdout=True, tty=False)
    both = stream(v1.connect_get_namespaced_pod_exec, pod, ns, command=["sh", "-c", "echo out; echo err >&2"],
                  stderr=True, stdin=False, stdout=True, tty=False)
    resp = stream(v1.connect_get_namespaced_pod_exec, pod, ns, command=["sh", "-c", "read x; echo got $x; exit 3"],
                  stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    resp.write_stdin("hello\n")
    resp.run_forever(timeout=30)
    code = resp.returncode
    stdout = resp.read_stdout()
    resp.close()
    return {"hostname": out, "both": both, "stdin": stdout, "code": code}


def step_logs():
    return {"all": v1.read_namespaced_pod_log(pod, ns), "tail": v1.read_namespaced_pod_log(pod, ns, tail_lines=1)}


def step_portforward():
    pf = portforward(v1.connect_get_namespaced_pod_portforward, pod, ns, ports=str(port))
    sock = pf.socket(port)
    sock.setblocking(True)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: py\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    return {"response": data.decode("utf-8", "replace"), "error": pf.error(port)}


for name in sys.argv[5:]:
    try:
        print(json.dumps({"step": name, "result": globals()["step_" + name]()}), flush=True)
    except Exception as e:  # report and go on: the test names the step that failed
        print(json.dumps({"step": name, "error": "%s: %s" % (type(e).__name__, e), "trace": traceback.format_exc()}), flush=True)
