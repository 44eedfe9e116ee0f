import { requireRole } from "@/lib/auth/guard";
import { PipelineSettings } from "@/components/pipeline-settings";

export const metadata = { title: "Pipeline and protection" };

export default async function PipelinePage() {
  await requireRole("ADMIN");
  return <PipelineSettings />;
}
