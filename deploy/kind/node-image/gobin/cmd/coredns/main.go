// Command coredns is CoreDNS with only the plugins a kubeadm cluster's Corefile uses (kubeadm
// v1.36 writes errors, health, ready, kubernetes, prometheus, forward, cache, loop, reload,
// loadbalance; log and debug are there for whoever edits the ConfigMap). The stock binary
// imports every plugin, the cloud-provider ones (AWS, Azure, Google) with their SDKs; leaving
// them out saves minutes of compiling on two cores and changes nothing for cluster DNS.
// Registration is by import, exactly as in CoreDNS's own core/plugin/zplugin.go; the order
// plugins run in stays CoreDNS's own (core/dnsserver.Directives).
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/debug"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

func main() {
	coremain.Run()
}
