"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.paged = paged;
exports.PagedDto = PagedDto;
const swagger_1 = require("@nestjs/swagger");
function paged(items, total, query) {
    return { items, total, page: query.page, pageSize: query.pageSize };
}
const pagedClasses = new Map();
/**
 * A named response class for a page of `item`s, so the OpenAPI document (and the generated client)
 * gets a concrete schema such as `PagedDeviceDto` rather than an anonymous object.
 */
function PagedDto(item) {
    const existing = pagedClasses.get(item);
    if (existing)
        return existing;
    class PagedOf {
        items;
        total;
        page;
        pageSize;
    }
    __decorate([
        (0, swagger_1.ApiProperty)({ type: [item] }),
        __metadata("design:type", Array)
    ], PagedOf.prototype, "items", void 0);
    __decorate([
        (0, swagger_1.ApiProperty)({ description: 'Items matching the query, over all pages' }),
        __metadata("design:type", Number)
    ], PagedOf.prototype, "total", void 0);
    __decorate([
        (0, swagger_1.ApiProperty)(),
        __metadata("design:type", Number)
    ], PagedOf.prototype, "page", void 0);
    __decorate([
        (0, swagger_1.ApiProperty)(),
        __metadata("design:type", Number)
    ], PagedOf.prototype, "pageSize", void 0);
    Object.defineProperty(PagedOf, 'name', { value: `Paged${item.name}` });
    pagedClasses.set(item, PagedOf);
    return PagedOf;
}
//# sourceMappingURL=paged.js.map