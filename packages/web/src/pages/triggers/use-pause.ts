import type { TriggerInfo } from '@commandcenter/protocol/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { useToast } from '../../ui/toast.js';
import { kindLabels } from './trigger-spec.js';

/**
 * Pauses or resumes a trigger. Pausing is not an engine event, so the feed does not report it:
 * the triggers' queries are invalidated here.
 */
export function usePauseTrigger() {
  const client = useClient();
  const { project } = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (t: TriggerInfo) =>
      t.paused ? client.resumeTrigger(t.id) : client.pauseTrigger(t.id),
    onSuccess: (t) => {
      toast.success(
        `${kindLabels[t.kind]} trigger of ${t.workflow} ${t.paused ? 'paused: it fires nothing until resumed' : 'resumed'}`,
      );
      void queryClient.invalidateQueries({ queryKey: keys.triggers(project) });
    },
    onError: (err) => toast.error(err, 'The trigger was not changed'),
  });
}
