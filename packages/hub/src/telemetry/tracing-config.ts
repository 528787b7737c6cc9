import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';

/**
 * Tracing is configured by the standard OpenTelemetry variables only
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/): invalid
 * values are reported and replaced by the default, as the specification asks, never fatal.
 */
type Env = Readonly<Record<string, string | undefined>>;

export type TraceExporterName = 'otlp' | 'console';

/**
 * The exporters tracing sends spans to; none means tracing is off (and costs nothing). On when
 * `OTEL_TRACES_EXPORTER` names `otlp` or `console`, or when an OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and the exporter is not
 * `none`; `OTEL_SDK_DISABLED=true` turns it off whatever the rest says.
 */
export function traceExportersFromEnv(
  env: Env,
  warn: (line: string) => void = () => {},
): TraceExporterName[] {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return [];
  const listed = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (listed.length === 0) {
    const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
    return endpoint ? ['otlp'] : [];
  }
  if (listed.includes('none')) return [];
  const out = new Set<TraceExporterName>();
  for (const name of listed) {
    if (name === 'otlp' || name === 'console') out.add(name);
    else
      warn(
        `tracing: OTEL_TRACES_EXPORTER names ${JSON.stringify(name)}, which this hub does not have (use otlp, console or none); ignored`,
      );
  }
  return [...out];
}

/**
 * The sampler `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` describe (default
 * `parentbased_always_on`). Built here rather than left to the SDK because the engine asks it
 * which runs are sampled: a run's root span and its step spans, recorded in different processes
 * at different times, must agree (see tracing.ts).
 */
export function samplerFromEnv(env: Env, warn: (line: string) => void = () => {}): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase() || 'parentbased_always_on';
  const ratio = (): number => {
    const raw = env.OTEL_TRACES_SAMPLER_ARG?.trim();
    const n = raw ? Number(raw) : NaN;
    if (Number.isFinite(n) && n >= 0 && n <= 1) return n;
    warn(
      `tracing: OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(raw ?? '')} is not a ratio from 0 to 1; sampling everything`,
    );
    return 1;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    default:
      warn(
        `tracing: OTEL_TRACES_SAMPLER=${JSON.stringify(name)} is not a sampler this hub knows; using parentbased_always_on`,
      );
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
