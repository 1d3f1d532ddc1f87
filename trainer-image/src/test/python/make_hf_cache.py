#!/usr/bin/env python3
"""A HuggingFace cache written by huggingface_hub itself, for kubetune's hf:// tests.

Runs a local stand-in of the Hub's HTTP API (the routes huggingface_hub 2.x uses: repo info,
tree listing, HEAD and GET of /resolve/, LFS files redirected to a "CDN" on another loopback
address) serving two tiny
repositories, lets ``huggingface_hub.snapshot_download`` and ``hf_hub_download`` download them,
and commits what they wrote:

  fixtures/hf-cache/hub/      the cache (models--kubetune-test--tiny-model/,
                              datasets--kubetune-test--chats/: refs/, blobs/, snapshots/ links)
  fixtures/hf-cache/hub.json  the repositories as served (files, contents, commit), so that the
                              Java tests' stand-in serves exactly the same thing and can compare
                              the cache kubetune writes with this one

The stand-in is not the Hub: it is only as faithful as the routes huggingface_hub asks for, which
is what this script checks by running the reference client against it.

    $(bench/pyenv.sh) trainer-image/src/test/python/make_hf_cache.py
"""
import base64
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

OUT = Path(__file__).resolve().parents[1] / "resources" / "fixtures" / "hf-cache"

COMMIT_MODEL = "1b0c5e7f3a2d4c6e8f9a0b1c2d3e4f5a6b7c8d9e"
COMMIT_DATA = "2c1d6f8a4b3e5d7f9a0b1c2d3e4f5a6b7c8d9e0f"


def repos():
    weights = bytes((i * 7 + 3) % 256 for i in range(120_000))
    return {
        "model": {
            "id": "kubetune-test/tiny-model",
            "kind": "model",
            "commit": COMMIT_MODEL,
            "refs": ["main"],
            "files": {
                "config.json": b'{"model_type": "qwen2", "hidden_size": 8}\n',
                "model.safetensors": weights,  # an LFS file: ETag = its SHA-256
                "tokenizer/tokenizer_config.json": b'{"eos_token": "<|im_end|>"}\n',
            },
            "lfs": ["model.safetensors"],
        },
        "dataset": {
            "id": "kubetune-test/chats",
            "kind": "dataset",
            "commit": COMMIT_DATA,
            "refs": ["main"],
            "files": {
                "data/train.jsonl": b'{"messages": [{"role": "user", "content": "Hi"},'
                b' {"role": "assistant", "content": "Hello!"}]}\n',
                "README.md": b"# chats\n",
            },
            "lfs": [],
        },
    }


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def etag(repo, name):
    data = repo["files"][name]
    return hashlib.sha256(data).hexdigest() if name in repo["lfs"] else git_blob_sha1(data)


class Hub(BaseHTTPRequestHandler):
    REPOS = {}
    CDN = None  # the base URL of the "CDN": the same handler on another loopback address

    def log_message(self, *args):
        pass

    def find(self, kind, rest):
        for repo in self.REPOS.values():
            if repo["kind"] == kind and rest.startswith(repo["id"] + "/"):
                return repo, rest[len(repo["id"]) + 1 :]
        return None, None

    def send_json(self, value):
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route(self):
        path = unquote(urlparse(self.path).path)
        if path.startswith("/cdn/"):  # where LFS files are redirected
            for repo in self.REPOS.values():
                for name in repo["lfs"]:
                    if etag(repo, name) == path[len("/cdn/") :]:
                        return ("file", repo, name)
            return None
        if path.startswith("/api/"):
            kind_plural, rest = path[len("/api/") :].split("/", 1)
            repo, rest = self.find(kind_plural[:-1], rest)
            if repo is None:
                return None
            what, revision = rest.split("/", 1)
            revision = revision.split("/")[0]
            if revision not in repo["refs"] and revision != repo["commit"]:
                return None
            return (what, repo, None)
        kind = "model"
        rest = path[1:]
        if rest.startswith("datasets/"):
            kind, rest = "dataset", rest[len("datasets/") :]
        repo, rest = self.find(kind, rest)
        if repo is None or not rest.startswith("resolve/"):
            return None
        revision, name = rest[len("resolve/") :].split("/", 1)
        if (revision not in repo["refs"] and revision != repo["commit"]) or name not in repo["files"]:
            return None
        return ("resolve", repo, name)

    def do_HEAD(self):
        self.answer(head=True)

    def do_GET(self):
        self.answer(head=False)

    def answer(self, head):
        found = self.route()
        if found is None:
            self.send_response(404)
            self.send_header("X-Error-Code", "RepoNotFound")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        what, repo, name = found
        if what == "revision":
            self.send_json(
                {
                    "id": repo["id"],
                    "sha": repo["commit"],
                    "siblings": [{"rfilename": f} for f in sorted(repo["files"])],
                }
            )
        elif what == "tree":
            self.send_json(
                [
                    {
                        "type": "file",
                        "path": f,
                        "size": len(data),
                        "oid": git_blob_sha1(data),
                        **(
                            {"lfs": {"oid": etag(repo, f), "size": len(data), "pointerSize": 130}}
                            if f in repo["lfs"]
                            else {}
                        ),
                    }
                    for f, data in sorted(repo["files"].items())
                ]
            )
        elif what == "resolve" and name in repo["lfs"]:
            self.send_response(302)
            # to another host, as the Hub's CDN is (huggingface_hub's HEAD stops there and reads the
            # file's metadata from this response; its GET follows, without the token)
            self.send_header("Location", "%s/cdn/%s" % (Hub.CDN, etag(repo, name)))
            self.send_header("X-Repo-Commit", repo["commit"])
            self.send_header("X-Linked-Etag", '"%s"' % etag(repo, name))
            self.send_header("X-Linked-Size", str(len(repo["files"][name])))
            self.send_header("ETag", '"%s"' % git_blob_sha1(b"pointer"))
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:  # a git file, or an LFS file on the CDN
            data = repo["files"][name]
            start = 0
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes="):
                start = int(rng[len("bytes=") :].split("-")[0])
            self.send_response(206 if start else 200)
            if what == "resolve":
                self.send_header("X-Repo-Commit", repo["commit"])
                self.send_header("ETag", '"%s"' % etag(repo, name))
            self.send_header("Content-Length", str(len(data) - start))
            if start:
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
            self.end_headers()
            if not head:
                self.wfile.write(data[start:])


def main():
    Hub.REPOS = repos()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    cdn = ThreadingHTTPServer(("127.0.0.2", 0), Hub)
    Hub.CDN = "http://127.0.0.2:%d" % cdn.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=cdn.serve_forever, daemon=True).start()
    endpoint = "http://127.0.0.1:%d" % server.server_address[1]
    os.environ["HF_ENDPOINT"] = endpoint
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    import huggingface_hub  # after HF_ENDPOINT: read at import

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "hub"
        model = Hub.REPOS["model"]
        snapshot = huggingface_hub.snapshot_download(model["id"], revision="main", cache_dir=cache)
        data = Hub.REPOS["dataset"]
        train = huggingface_hub.hf_hub_download(
            data["id"], "data/train.jsonl", repo_type="dataset", revision="main", cache_dir=cache
        )
        for f, content in model["files"].items():
            assert (Path(snapshot) / f).read_bytes() == content, f
        assert Path(train).read_bytes() == data["files"]["data/train.jsonl"]
        shutil.rmtree(cache / ".locks", ignore_errors=True)
        for extra in cache.rglob("*"):  # huggingface_hub's own bookkeeping besides the layout
            if extra.name == ".no_exist" or extra.parent.name == ".cache":
                shutil.rmtree(extra, ignore_errors=True)
        if OUT.exists():
            shutil.rmtree(OUT)
        OUT.mkdir(parents=True)
        shutil.copytree(cache, OUT / "hub", symlinks=True)
    described = {
        key: {
            **{k: v for k, v in repo.items() if k != "files"},
            "files": {f: base64.b64encode(d).decode() for f, d in sorted(repo["files"].items())},
        }
        for key, repo in Hub.REPOS.items()
    }
    (OUT / "hub.json").write_text(json.dumps(described, indent=2) + "\n")
    server.shutdown()
    cdn.shutdown()
    print(f"huggingface_hub {huggingface_hub.__version__} wrote {OUT}/hub")
    for p in sorted((OUT / "hub").rglob("*")):
        kind = "-> " + os.readlink(p) if p.is_symlink() else ("dir" if p.is_dir() else "file")
        print(" ", p.relative_to(OUT), kind)


if __name__ == "__main__":
    sys.exit(main())
