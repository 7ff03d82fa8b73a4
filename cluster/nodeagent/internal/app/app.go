// Package app is the nodeagent command: flags, logging and signals around agent.Run.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	vklog "github.com/virtual-kubelet/virtual-kubelet/log"
	vkslog "github.com/virtual-kubelet/virtual-kubelet/log/slog"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/agent"
	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/config"
)

const usage = `nodeagent serves Kubernetes nodes whose pods run as runc containers.

Usage: nodeagent --config FILE [--log-level debug|info|warn|error]
`

// plainErrors logs an error as its message: the text handler would print errors from
// github.com/pkg/errors (virtual-kubelet's) with their whole stack.
func plainErrors(_ []string, a slog.Attr) slog.Attr {
	if err, ok := a.Value.Any().(error); ok && a.Value.Kind() == slog.KindAny {
		return slog.String(a.Key, err.Error())
	}
	return a
}

// Run runs the command with its arguments and returns the process exit code.
func Run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("nodeagent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	configPath := fs.String("config", "", "the agent's JSON configuration file")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *configPath == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "nodeagent: --log-level: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lv, ReplaceAttr: plainErrors}))
	vklog.L = vkslog.FromSlog(logger)

	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "nodeagent: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := agent.Run(ctx, cfg); err != nil {
		logger.Error("nodeagent stopped", "error", err)
		return 1
	}
	logger.Info("nodeagent stopped")
	return 0
}
