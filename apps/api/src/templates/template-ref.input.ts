import { IsOptional, Min } from "class-validator";
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, InputType, Int } from "type-graphql";

@InputType({ description: "Send a template instead of inline content." })
export class TemplateRefInput {
  @Field({ description: "The template's key." })
  key!: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Values for the template's declared variables." })
  @IsOptional()
  data?: Record<string, unknown>;

  @Field(() => Int, { nullable: true, description: "Pin a (once-)published version; default: the published version." })
  @IsOptional()
  @Min(1)
  version?: number;
}
