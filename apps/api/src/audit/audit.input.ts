import { IsOptional, Length } from "class-validator";
import { Field, InputType } from "type-graphql";

@InputType({ description: "Every given condition must hold." })
export class AuditLogFilter {
  @Field(() => String, { nullable: true, description: 'Exact action, e.g. "template.publish".' })
  @IsOptional()
  @Length(1, 100)
  action?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  actorId?: string | null;

  @Field(() => String, { nullable: true, description: "A template key, a recipient's externalId, a notification id…" })
  @IsOptional()
  @Length(1, 200)
  targetId?: string | null;

  @Field(() => Date, { nullable: true, description: "At or after this time." })
  @IsOptional()
  since?: Date | null;

  @Field(() => Date, { nullable: true, description: "Before this time." })
  @IsOptional()
  until?: Date | null;
}
