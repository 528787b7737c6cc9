import type { TriggerInfo, WebhookSecretRotated } from '@commandcenter/protocol/client';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useClient } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { formatRelative, formatTime } from '../../ui/format.js';
import { useToast } from '../../ui/toast.js';
import { needsRole } from '../../ui/role-note.js';
import { CopyButton, ShownOnce } from '../../ui/shown-once.js';

const graceOptions = [
  { value: '24h', label: '24 hours' },
  { value: '1h', label: '1 hour' },
  { value: '7d', label: '7 days' },
  { value: '0s', label: 'not at all (revoke it now)' },
];

/**
 * A webhook's URL and its signing secret. The hub never shows a secret again, so rotating is also
 * how the first one is created; the new value is shown once, with how long the previous one is
 * still accepted.
 */
export function WebhookSection({ t }: { t: TriggerInfo }) {
  const client = useClient();
  const { can } = useSession();
  const toast = useToast();
  const admin = can('admin');
  const [grace, setGrace] = useState('24h');
  const [rotated, setRotated] = useState<WebhookSecretRotated | null>(null);
  const rotate = useMutation({
    mutationFn: () => client.rotateWebhookSecret(t.id, { previousValidFor: grace }),
    onSuccess: (r) => {
      setRotated(r);
      toast.success(`New signing secret for webhook ${r.webhook ?? ''}`);
    },
    onError: (err) => toast.error(err, 'The secret was not rotated'),
  });
  const tokenAuth = t.spec.auth === 'token';
  return (
    <section className="webhook-section" aria-labelledby="webhook-title">
      <h3 id="webhook-title">Webhook</h3>
      {t.url && (
        <div className="webhook-url">
          <input
            readOnly
            value={t.url}
            aria-label="Webhook URL"
            className="mono"
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyButton value={t.url} label="webhook URL" />
        </div>
      )}
      {tokenAuth ? (
        <p className="muted">
          Deliveries authenticate with <code>Authorization: Bearer &lt;token&gt;</code> (operator
          role or above): this webhook has no signing secret.
        </p>
      ) : (
        <>
          <p className="muted">
            Senders sign <code>timestamp.body</code> with HMAC-SHA256 and send{' '}
            <code>X-CC-Timestamp</code>, <code>X-CC-Signature</code> and <code>X-CC-Delivery</code>.
            A webhook has no secret until an admin creates one here; every workflow declaring this
            webhook shares it.
          </p>
          {rotated ? (
            <ShownOnce value={rotated.secret} label="signing secret">
              <p className="field-hint">
                {rotated.previousExpiresAt
                  ? `The previous secret is accepted until ${formatTime(rotated.previousExpiresAt)} (${formatRelative(rotated.previousExpiresAt)}).`
                  : 'There was no previous secret: this is the first one.'}
                {rotated.triggerIds && rotated.triggerIds.length > 1
                  ? ` Shared by ${rotated.triggerIds.length} triggers.`
                  : ''}
              </p>
              <button type="button" className="btn btn-small" onClick={() => setRotated(null)}>
                I have copied it
              </button>
            </ShownOnce>
          ) : (
            <div className="row">
              <label className="row">
                <span>Previous secret stays valid for</span>
                <select value={grace} onChange={(e) => setGrace(e.target.value)} disabled={!admin}>
                  {graceOptions.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="btn"
                disabled={!admin || rotate.isPending}
                title={needsRole('admin', admin)}
                onClick={() => rotate.mutate()}
              >
                {rotate.isPending ? 'Rotating…' : 'Rotate secret'}
              </button>
            </div>
          )}
          {!admin && (
            <p className="field-hint">Only admins can create or rotate the signing secret.</p>
          )}
        </>
      )}
    </section>
  );
}
