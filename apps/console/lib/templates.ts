import "server-only";
import { callApi } from "./api";
import { graphql, type ResultOf } from "./graphql";

const TEMPLATES = graphql(`
  query ConsoleTemplates {
    templates {
      id
      key
      name
      category
      defaultLocale
      updatedAt
      publishedVersion {
        version
      }
      versions {
        version
        state
      }
    }
  }
`);

const TEMPLATE = graphql(`
  query ConsoleTemplate($key: String!) {
    template(key: $key) {
      id
      key
      name
      category
      defaultLocale
      createdAt
      updatedAt
      publishedVersion {
        version
      }
      versions {
        id
        version
        state
        content
        createdAt
        publishedAt
        variables {
          name
          type
          required
        }
      }
    }
  }
`);

export const CREATE_TEMPLATE = graphql(`
  mutation ConsoleCreateTemplate($input: CreateTemplateInput!) {
    createTemplate(input: $input) {
      key
    }
  }
`);

export const UPDATE_DRAFT = graphql(`
  mutation ConsoleUpdateDraft($key: String!, $content: [TemplateLocaleContentInput!], $variables: [TemplateVariableInput!]) {
    updateTemplateDraft(key: $key, content: $content, variables: $variables) {
      version
    }
  }
`);

export const PUBLISH = graphql(`
  mutation ConsolePublish($key: String!, $version: Int) {
    publishTemplate(key: $key, version: $version) {
      version
    }
  }
`);

export const RESTORE = graphql(`
  mutation ConsoleRestore($key: String!, $version: Int!) {
    restoreTemplateVersion(key: $key, version: $version) {
      version
    }
  }
`);

export const PREVIEW = graphql(`
  query ConsolePreview($key: String!, $version: Int, $channel: Channel!, $locale: String, $data: JSONObject) {
    previewTemplate(key: $key, version: $version, channel: $channel, locale: $locale, data: $data) {
      version
      channel
      locale
      content
      data
    }
  }
`);

export type TemplateSummary = ResultOf<typeof TEMPLATES>["templates"][number];
export type TemplateDetail = ResultOf<typeof TEMPLATE>["template"];
export type TemplateVersionDetail = TemplateDetail["versions"][number];
export type TemplatePreview = ResultOf<typeof PREVIEW>["previewTemplate"];

export async function listTemplates(): Promise<TemplateSummary[]> {
  return (await callApi(TEMPLATES, {})).templates;
}

/** NOT_FOUND surfaces as ApiRequestError. */
export async function getTemplate(key: string): Promise<TemplateDetail> {
  return (await callApi(TEMPLATE, { key })).template;
}
