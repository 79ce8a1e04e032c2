// The lab's pod sandbox process (the role of Kubernetes' pause image): hold the pod's namespaces, reap orphans,
// exit on SIGINT or SIGTERM. Built by scripts/build-cri-tools.sh; ringmaster itself stays TypeScript.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			return
		}
		for {
			var ws syscall.WaitStatus
			if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
				break
			}
		}
	}
}
