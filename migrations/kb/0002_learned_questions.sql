CREATE TABLE `learned_questions` (
	`id` text PRIMARY KEY NOT NULL,
	`article_id` text NOT NULL,
	`locale` text NOT NULL,
	`key` text NOT NULL,
	`text` text NOT NULL,
	`status` text NOT NULL,
	`review` text,
	`confirmations` integer DEFAULT 0 NOT NULL,
	`not_helpful` integer DEFAULT 0 NOT NULL,
	`sources` text NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`origin_conversation` text NOT NULL,
	`origin_subject` text,
	`version` integer DEFAULT 0 NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `learned_questions_article_key` ON `learned_questions` (`article_id`,`key`);--> statement-breakpoint
CREATE INDEX `learned_questions_version` ON `learned_questions` (`version`);--> statement-breakpoint
CREATE INDEX `learned_questions_status` ON `learned_questions` (`status`,`locale`);--> statement-breakpoint
CREATE INDEX `learned_questions_origin_conversation` ON `learned_questions` (`origin_conversation`);--> statement-breakpoint
CREATE INDEX `learned_questions_origin_subject` ON `learned_questions` (`origin_subject`);--> statement-breakpoint
CREATE TABLE `learned_votes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`question_id` text NOT NULL,
	`conversation` text NOT NULL,
	`client` text NOT NULL,
	`subject` text,
	`source` text NOT NULL,
	`day` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`question_id`) REFERENCES `learned_questions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `learned_votes_question_client` ON `learned_votes` (`question_id`,`client`);--> statement-breakpoint
CREATE UNIQUE INDEX `learned_votes_question_conversation` ON `learned_votes` (`question_id`,`conversation`);--> statement-breakpoint
CREATE INDEX `learned_votes_client_day` ON `learned_votes` (`client`,`day`);--> statement-breakpoint
CREATE INDEX `learned_votes_conversation` ON `learned_votes` (`conversation`);--> statement-breakpoint
CREATE INDEX `learned_votes_subject` ON `learned_votes` (`subject`);