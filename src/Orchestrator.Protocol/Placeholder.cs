namespace Orchestrator.Protocol; internal static class Placeholder {}
