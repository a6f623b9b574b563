namespace Orchestrator.Data; internal static class Placeholder {}
