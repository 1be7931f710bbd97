import { ApiError, WebsiteDataConflictError, type WebsiteDataSnapshot } from "./errors.js";
import { versionOf, type ApiClient } from "./http.js";

export type WebsiteDataField = "content" | "assets" | "aiContext";

export interface WebsiteDataSections {
  content?: unknown;
  assets?: unknown;
  aiContext?: unknown;
}

/** `/api/websites/{id}/data`: load with field selection, save with If-Match; a 412 throws {@link WebsiteDataConflictError} with both sides. */
export class WebsiteData {
  constructor(private readonly api: ApiClient) {}

  /** The current data with the sections asked for (all three by default); version 0 and null sections before the first save. */
  async load(websiteId: string, fields?: WebsiteDataField[]): Promise<WebsiteDataSnapshot> {
    const { data } = await this.api.get<WebsiteDataSnapshot>(`/api/websites/${websiteId}/data`, { query: { fields: fields?.join(",") } });
    return data;
  }

  /** One stored version (a conflict backup too). */
  async loadVersion(websiteId: string, version: number, fields?: WebsiteDataField[]): Promise<WebsiteDataSnapshot> {
    const { data } = await this.api.get<{ document: WebsiteDataSnapshot }>(`/api/websites/${websiteId}/data/versions/${version}`, { query: { fields: fields?.join(",") } });
    return data.document;
  }

  /**
   * Replaces the sections given (the others stay) if the data is still at `version`; answers the
   * new version. When it is not, the server keeps the payload as a conflict backup and this throws
   * a {@link WebsiteDataConflictError} carrying the server's current data and that backup.
   */
  async save(websiteId: string, version: number, sections: WebsiteDataSections): Promise<number> {
    try {
      const answer = await this.api.put<{ version: number }>(`/api/websites/${websiteId}/data`, sections, { headers: { "If-Match": `"${version}"` } });
      return answer.data?.version ?? versionOf(answer.etag) ?? version + 1;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 412) throw error;
      const fields = Object.keys(sections).filter((k): k is WebsiteDataField => ["content", "assets", "aiContext"].includes(k));
      const currentVersion = Number(error.problem.currentVersion);
      const backupVersion = Number(error.problem.conflictBackupVersion);
      const [server, mine] = await Promise.all([
        this.load(websiteId, fields.length ? fields : undefined),
        this.loadVersion(websiteId, backupVersion, fields.length ? fields : undefined),
      ]);
      throw new WebsiteDataConflictError(error.problem, currentVersion, backupVersion, server, mine);
    }
  }
}
