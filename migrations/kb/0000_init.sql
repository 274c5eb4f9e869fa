CREATE TABLE `articles` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`locale` text NOT NULL,
	`title` text NOT NULL,
	`answer` text NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `articles_slug_locale` ON `articles` (`slug`,`locale`);--> statement-breakpoint
CREATE INDEX `articles_version` ON `articles` (`version`);--> statement-breakpoint
CREATE TABLE `example_questions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` text NOT NULL,
	`position` integer NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `example_questions_article_position` ON `example_questions` (`article_id`,`position`);--> statement-breakpoint
CREATE TABLE `kb_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
